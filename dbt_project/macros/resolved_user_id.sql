{#- feeds.md, "User identity": the rows of `rows` (team, autodesk_id, email,
    delivered_user_id and more) with their user_id. A row without an Autodesk ID whose
    lower-cased e-mail address belongs to exactly one Autodesk ID of its team takes that
    ID (step 2, `email_ids` = int_email_autodesk_ids); otherwise the identity it was
    delivered under. The body of a CTE. -#}
{% macro select_with_user_id(rows, email_ids) -%}
    select
        {{ rows }}.*,
        coalesce({{ rows }}.autodesk_id, {{ email_ids }}.autodesk_id, {{ rows }}.delivered_user_id)
            as user_id

    from {{ rows }}
    left join {{ email_ids }}
        on {{ email_autodesk_id_join(rows, email_ids) }}
{%- endmacro %}

{#- The rows of `rows` that may resolve by an e-mail of `email_ids`, joined to it. -#}
{% macro email_autodesk_id_join(rows, email_ids) -%}
    {{ email_ids }}.team = {{ rows }}.team
    and {{ email_ids }}.email = lower({{ rows }}.email)
    and {{ rows }}.autodesk_id is null
{%- endmacro %}
