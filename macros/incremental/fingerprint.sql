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

{#-
    not_yet_built: in an incremental run, keeps the rows of `fingerprints` (a relation or CTE with
    input_fingerprint per `date_column`) whose date this model has not built from the same
    fingerprint: a new date, or one whose input changed. Placed right after `from <fingerprints>`;
    renders nothing in a full build, which builds every date.
-#}
{% macro not_yet_built(fingerprints, date_column) -%}
    {%- if is_incremental() %}
    left join (
        select distinct
            {{ date_column }},
            input_fingerprint
        from {{ this }}
    ) as built
        on
            {{ fingerprints }}.{{ date_column }} = built.{{ date_column }}
            and {{ fingerprints }}.input_fingerprint = built.input_fingerprint
    where built.{{ date_column }} is null
    {%- endif %}
{%- endmacro %}
