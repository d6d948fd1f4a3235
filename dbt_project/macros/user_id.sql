{#- User identity of feeds.md, literal: the Autodesk ID when present, else 'h:' + the
    hashed Autodesk ID, else 'e:' + the lower-cased e-mail address. The users feed has no
    hashed ID: call it with hashed_autodesk_id=none. -#}
{% macro user_id(autodesk_id, hashed_autodesk_id, email) -%}
    coalesce(
        {{ autodesk_id }},
        {%- if hashed_autodesk_id is not none %}
        'h:' || {{ hashed_autodesk_id }},
        {%- endif %}
        'e:' || lower({{ email }})
    )
{%- endmacro %}
