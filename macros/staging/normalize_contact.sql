{#- Lower-cased, trimmed email; empty strings become null. -#}
{% macro normalize_email(column) -%}
    nullif(lower(trim({{ column }})), '')
{%- endmacro %}


{#-
    Phone number in E.164 form ('+' and digits): punctuation and spaces removed, a leading
    international '00' prefix replaced by '+'. Every source writes the country code, in
    several formats ('+44 20 7946 0123', '0044207946 0123', '(+44) 2079460123').
-#}
{% macro normalize_phone(column) -%}
    {%- set digits = strip_non_digits(column) -%}
    case
        when {{ digits }} = '' then null
        when {{ digits }} like '00%' then {{ dbt.concat(["'+'", "substr(" ~ digits ~ ", 3)"]) }}
        else {{ dbt.concat(["'+'", digits]) }}
    end
{%- endmacro %}


{% macro strip_non_digits(column) -%}
    {{ return(adapter.dispatch('strip_non_digits', 'crm_warehouse')(column)) }}
{%- endmacro %}

{% macro default__strip_non_digits(column) -%}
    regexp_replace(coalesce({{ column }}, ''), '[^0-9]', '', 'g')
{%- endmacro %}

{#- Spark's regexp_replace replaces every match and takes no flags. -#}
{% macro spark__strip_non_digits(column) -%}
    regexp_replace(coalesce({{ column }}, ''), '[^0-9]', '')
{%- endmacro %}


{#- The part of an email address after the '@', for domain rules such as internal accounts. -#}
{% macro email_domain(email_column) -%}
    {{ dbt.split_part(email_column, "'@'", 2) }}
{%- endmacro %}


{#- True for the retailer's own test accounts: email domain in var 'internal_email_domains'. -#}
{% macro is_internal_email(email_column) -%}
    coalesce(
        lower(trim({{ email_domain(email_column) }})) in (
            {%- for domain in var('internal_email_domains') %}
            '{{ domain }}'{{ "," if not loop.last }}
            {%- endfor %}
        ),
        false
    )
{%- endmacro %}
