{#-
    A non-negative 63-bit integer from the MD5 of a text expression: the same number for the same
    text on every run, every database and every adapter (the first eight bytes of the digest, read
    low byte first, shifted right by one bit). Fingerprints rows (macro row_fingerprint).
-#}
{% macro stable_number(expression) -%}
    {{ return(adapter.dispatch('stable_number')(expression)) }}
{%- endmacro %}

{% macro duckdb__stable_number(expression) -%}
    cast(md5_number_upper({{ expression }}) >> 1 as bigint)
{%- endmacro %}

{#- PostgreSQL (and the default): the same eight bytes, reordered low byte first, as a bit string. -#}
{% macro default__stable_number(expression) -%}
    cast((cast('x' || {% for byte in range(7, -1, -1) -%}
        substr(md5({{ expression }}), {{ byte * 2 + 1 }}, 2){{ ' || ' if not loop.last }}
    {%- endfor %} as bit(64)) >> 1) as bigint)
{%- endmacro %}

{#- Spark: the same eight bytes read as an unsigned number by conv(), halved. -#}
{% macro spark__stable_number(expression) -%}
    cast(floor(cast(conv({% for byte in range(7, -1, -1) -%}
        substr(md5({{ expression }}), {{ byte * 2 + 1 }}, 2){{ ' || ' if not loop.last }}
    {%- endfor %}, 16, 10) as decimal(20, 0)) / 2) as bigint)
{%- endmacro %}
