{#- The identity a row was delivered under (feeds.md, "User identity", steps 1, 3 and 4):
    the Autodesk ID when present, else 'h:' + the hashed Autodesk ID, else 'e:' + the
    lower-cased e-mail address. The user_id of the marts resolves e-mail-only rows to an
    Autodesk ID on top of this (step 2: int_email_autodesk_ids). The users feed has no
    hashed ID: call it with hashed_autodesk_id=none. -#}
{% macro delivered_user_id(autodesk_id, hashed_autodesk_id, email) -%}
    coalesce(
        {{ autodesk_id }},
        {%- if hashed_autodesk_id is not none %}
        'h:' || {{ hashed_autodesk_id }},
        {%- endif %}
        'e:' || lower({{ email }})
    )
{%- endmacro %}
