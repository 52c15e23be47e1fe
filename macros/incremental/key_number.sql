{#-
    customer_number from customer_key: the key is an MD5 in hex (dbt.hash in
    int_customers__identity_map), and its first 15 hex digits read as a 60-bit integer keep the
    keys' order (ordering by the number is ordering by the key) and the same value in every build,
    incremental run and database. Two keys sharing 15 leading digits (about one chance in two
    million at a million customers) would share a number: a uniqueness test on the number and the
    evaluation date fails the build then, so they are never merged silently.
-#}
{% macro key_number(key) -%}
    {{ return(adapter.dispatch('key_number')(key)) }}
{%- endmacro %}

{% macro duckdb__key_number(key) -%}
    cast('0x' || substr({{ key }}, 1, 15) as bigint)
{%- endmacro %}

{% macro default__key_number(key) -%}
    cast(cast('x' || lpad(substr({{ key }}, 1, 15), 16, '0') as bit(64)) as bigint)
{%- endmacro %}

{% macro spark__key_number(key) -%}
    cast(conv(substr({{ key }}, 1, 15), 16, 10) as bigint)
{%- endmacro %}
