{#- Watermarks of the incremental usage models (docs/incremental.md).

    A model that cannot read from its own rows which raw files it has already processed
    records, in the same transaction as its rows (a post-hook), the greatest `_file_seq`
    of its inputs: `audit.dbt_incremental_state`, one row per model. The next incremental
    run reads it while the model compiles (dbt compiles a node just before running it, so
    the upstream models of the same build are already there) and processes only rows of
    later files. No row (a model built before this table existed, or a lost state) means
    "everything is new": the run recomputes every key, which is correct, only slower.
    Plain SQL (create table if not exists, delete, insert): portable as it is. -#}

{% macro incremental_state_relation() -%}
    {{ return(api.Relation.create(
        database=target.database, schema='audit', identifier='dbt_incremental_state',
        type='table')) }}
{%- endmacro %}

{#- The state table, created once per dbt invocation (on-run-start in dbt_project.yml):
    created from the post-hooks of two models running at once, DuckDB raised a catalog
    write-write conflict. -#}
{% macro create_incremental_state() -%}
    {%- set state = incremental_state_relation() -%}
    create schema if not exists {{ state.schema }};
    create table if not exists {{ state }} (
        model_name varchar,
        file_seq bigint,
        recorded_at timestamp
    )
{%- endmacro %}

{#- The watermark recorded by the model being built, or none (also at parse time). -#}
{% macro incremental_watermark() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set state = incremental_state_relation() -%}
    {%- if adapter.get_relation(state.database, state.schema, state.identifier) is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(
        "select max(file_seq) from " ~ state ~ " where model_name = '" ~ this.identifier ~ "'"
    ) -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}

{#- Post-hooks recording `file_seq_sql` (a scalar query: the greatest _file_seq of the
    model's inputs) as the model's watermark. -#}
{% macro record_incremental_watermark(file_seq_sql) -%}
    {%- set state = incremental_state_relation() -%}
    delete from {{ state }} where model_name = '{{ this.identifier }}';
    insert into {{ state }} (model_name, file_seq, recorded_at)
    select '{{ this.identifier }}', ({{ file_seq_sql }}), {{ dbt.current_timestamp() }}
{%- endmacro %}

{#- A single value of a compile-time query (run_query), or none at parse time. -#}
{% macro query_value(sql) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set result = run_query(sql) -%}
    {%- if result.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}

{#- A text value as a SQL string literal. -#}
{% macro sql_string(value) -%}
    '{{ value | replace("'", "''") }}'
{%- endmacro %}

{#- Pre-hook of an incremental model holding rows up to the reporting day: when as_of
    moved back, the rows after it go (an incremental run only adds and replaces). -#}
{% macro delete_rows_after(day_column, as_of) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ day_column }} > cast('{{ as_of }}' as date)
    {%- endif -%}
{%- endmacro %}
