{#- Incremental strategy `replace_keys`: every row of the target whose key (unique_key,
    one column or a list: here a (team, day_used) or (team, user_id) pair, not a row key)
    appears in the new batch is deleted, then the batch is inserted. This is dbt's
    delete+insert, with the delete written as a semi-join (`exists`): dbt-duckdb's
    delete+insert on a list of columns deletes `using` the batch, a join that pairs every
    target row of a key with every batch row of it, which costs minutes when a batch holds
    whole days of many rows. The batch's keys are recorded first (macros/written_keys.sql).
    Plain SQL: portable as it is. -#}
{% macro get_incremental_replace_keys_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set batch = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- if keys is string -%}
        {%- set keys = [keys] -%}
    {%- endif -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {{ record_written_keys(keys, batch) }};

    delete from {{ target }} as replaced
    where exists (
        select 1 from {{ batch }} as batch
        where
            {%- for key in keys %}
            {{ 'and ' if not loop.first }}batch.{{ key }} = replaced.{{ key }}
            {%- endfor %}
    );

    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ batch }}
{%- endmacro %}
