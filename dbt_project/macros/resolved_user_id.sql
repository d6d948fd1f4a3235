{#- feeds.md, "User identity": the user_id of a delivered row. A row without an Autodesk
    ID whose lower-cased e-mail address belongs to exactly one Autodesk ID of its team
    takes that ID (step 2); otherwise the identity it was delivered under. `row` has team,
    autodesk_id, email and delivered_user_id; `email_ids` is int_email_autodesk_ids, left
    joined on email_autodesk_id_join. -#}
{% macro resolved_user_id(row, email_ids) -%}
    coalesce({{ row }}.autodesk_id, {{ email_ids }}.autodesk_id, {{ row }}.delivered_user_id)
{%- endmacro %}

{% macro email_autodesk_id_join(row, email_ids) -%}
    {{ email_ids }}.team = {{ row }}.team
    and {{ email_ids }}.email = lower({{ row }}.email)
    and {{ row }}.autodesk_id is null
{%- endmacro %}
