{#- Use a model's custom schema as-is (`staging`, not `main_staging`): the warehouse has one
    fixed set of schemas (warehouse.md). Models without one go to the target schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
