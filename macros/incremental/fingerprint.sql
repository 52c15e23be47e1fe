{#-
    Fingerprints tell an incremental model which of its dates to rebuild: a date's fingerprint is
    a sum over every input row that reaches it, so a new, changed or deleted row changes it (two
    changes cancel out only by a chance of about one in two billion).

    row_fingerprint: one row's share, a number from 0 to 2^31 - 2 computed from its values (nulls
    as empty text). Summed over millions of rows it stays far inside a bigint.
-#}
{% macro row_fingerprint(columns) -%}
    {%- set values = [] -%}
    {%- for column in columns -%}
        {%- do values.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last %}{% do values.append("'|'") %}{% endif -%}
    {%- endfor -%}
    ({{ stable_number(dbt.concat(values)) }} % 2147483647)
{%- endmacro %}

{#-
    code_fingerprint: a number (below 2^28) for the model's own SQL and the value of every var it
    names, so that editing the model or changing one of its vars rebuilds every date, as a full
    refresh would. (Vars read only inside macros are not seen: such a macro's output is a type,
    and a changed type stops the run through on_schema_change.)
-#}
{% macro code_fingerprint() -%}
    {%- set names = modules.re.findall("var\\(\\s*['\"](\\w+)['\"]", model.raw_code) | unique | sort -%}
    {%- set values = [] -%}
    {%- for name in names %}{% do values.append(name ~ '=' ~ (var(name) | tojson)) %}{% endfor -%}
    {{ return(local_md5(model.raw_code ~ (values | join(';')))[:7] | int(base=16)) }}
{%- endmacro %}
