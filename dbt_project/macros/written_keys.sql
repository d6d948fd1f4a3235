{#- The keys an incremental model wrote in this build, for the `where` of its tests
    (docs/incremental.md, "Tests"): audit.dbt_written_<model>, the distinct keys of the
    batch replace_keys wrote, or of every row after a full build (first build,
    --full-refresh, a layout upgrade). A test that looks at these keys looks at the rows
    this build wrote; a key a build did not write keeps the rows an earlier build tested. -#}

{% macro written_keys_relation(identifier) -%}
    {{ return(api.Relation.create(
        database=target.database, schema='audit', identifier='dbt_written_' ~ identifier,
        type='table')) }}
{%- endmacro %}

{% macro record_written_keys(keys, source) -%}
    create or replace table {{ written_keys_relation(this.identifier) }} as
    select distinct {{ keys | join(', ') }} from {{ source }}
{%- endmacro %}

{#- Post-hook of the incremental models: after a full build, every key was written (an
    incremental build records its batch in get_incremental_replace_keys_sql). -#}
{% macro record_written_keys_of_full_build(keys) -%}
    {%- if not is_incremental() -%}
        {{ record_written_keys(keys, this) }}
    {%- endif -%}
{%- endmacro %}
