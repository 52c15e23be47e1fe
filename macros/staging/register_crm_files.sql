{#-
    File sources. With the environment variable CRM_SOURCE_PATH set to a folder of the CRM
    extract (one <table>.parquet, <table>/ folder of Parquet files, or <table>.csv per source
    table), the source `crm` reads schema crm_files instead of the seeded raw schema
    (models/staging/crm/_crm__sources.yml), and this on-run-start hook (re)creates one view per
    source table there over its file. Each view casts the columns to the types the seeds declare
    (seeds/_seeds.yml, the contract of the raw layer), so staging sees the same types whatever
    the format. Nothing is copied: a build reads the files where they are.
-#}
{% macro crm_files_path() -%}
    {{ return(env_var('CRM_SOURCE_PATH', '') | trim) }}
{%- endmacro %}

{% macro register_crm_files() -%}
    {{ return(adapter.dispatch('register_crm_files', 'crm_warehouse')()) }}
{%- endmacro %}

{% macro default__register_crm_files() -%}
    {%- if crm_files_path() and execute %}
        {{ exceptions.raise_compiler_error(
            "CRM_SOURCE_PATH=" ~ crm_files_path() ~ ": file sources are read by DuckDB only; on "
            ~ target.type ~ " load the extract into schema raw (dbt seed does it for CSV files)"
        ) }}
    {%- endif %}
    {{ return('') }}
{%- endmacro %}

{% macro duckdb__register_crm_files() -%}
    {%- set folder = crm_files_path() %}
    {%- if not folder or not execute %}{{ return('') }}{% endif %}
    {%- set folder = folder.rstrip('/') %}
    {#- The schema is the one the source reads with CRM_SOURCE_PATH set (_crm__sources.yml). -#}
    {%- set sources = graph.sources.values() | selectattr('source_name', 'equalto', 'crm') | sort(attribute='name') | list %}
    {%- set schema = sources[0].schema %}
    {%- set statements = ['create schema if not exists ' ~ schema] %}
    {%- for source in sources %}
        {%- set table = source.name %}
        {%- set seed = graph.nodes.get('seed.crm_warehouse.' ~ table) %}
        {%- if seed is none %}
            {{ exceptions.raise_compiler_error("source crm." ~ table ~ " has no seed declaring its column types in seeds/_seeds.yml") }}
        {%- endif %}
        {%- set column_types = seed.config.column_types %}
        {%- set reader = crm_file_reader(folder, table, column_types) %}
        {%- set columns = [] %}
        {%- for column, data_type in column_types.items() %}
            {%- do columns.append('cast(' ~ adapter.quote(column) ~ ' as ' ~ data_type ~ ') as ' ~ adapter.quote(column)) %}
        {%- endfor %}
        {%- do statements.append(
            'create or replace view ' ~ schema ~ '.' ~ table ~ ' as select '
            ~ columns | join(', ') ~ ' from ' ~ reader
        ) %}
    {%- endfor %}
    {{ return(statements | join(';\n')) }}
{%- endmacro %}

{#- The table function that reads one source table's file(s), found by name in the folder. -#}
{% macro crm_file_reader(folder, table, column_types) -%}
    {%- set candidates = [
        (folder ~ '/' ~ table ~ '.parquet', 'parquet'),
        (folder ~ '/' ~ table ~ '/*.parquet', 'parquet'),
        (folder ~ '/' ~ table ~ '.csv', 'csv'),
    ] %}
    {%- for pattern, format in candidates %}
        {%- set found = run_query("select count(*) from glob(" ~ dbt.string_literal(pattern) ~ ")").columns[0].values()[0] %}
        {%- if found > 0 and format == 'parquet' %}
            {{ return("read_parquet(" ~ dbt.string_literal(pattern) ~ ")") }}
        {%- elif found > 0 %}
            {#- Read as text, so that the view's casts (and preflight before them) judge each value. -#}
            {{ return("read_csv(" ~ dbt.string_literal(pattern) ~ ", header = true, all_varchar = true)") }}
        {%- endif %}
    {%- endfor %}
    {{ exceptions.raise_compiler_error(
        "CRM_SOURCE_PATH=" ~ folder ~ ": no file for source table " ~ table ~ " (looked for "
        ~ table ~ ".parquet, " ~ table ~ "/*.parquet and " ~ table ~ ".csv); it needs the columns: "
        ~ column_types.keys() | join(', ')
    ) }}
{%- endmacro %}
