{#-
    amount / divisor as money (a mean of money: average order value, cost per response), the
    same on every database: the amount in cents over the divisor, rounded first to micro-units
    and then to cents (macro to_money). The first rounding leaves an exact decimal, so a mean
    exactly on a half cent (2490.18 / 4 = 622.545) rounds away from zero everywhere; cast
    straight from the double, it rounds down on DuckDB and up on PostgreSQL.
    Null when the divisor is 0 or null.
-#}
{% macro divide_money(amount, divisor) -%}
    {{ to_money(safe_divide('cast(' ~ amount ~ ' as ' ~ type_money() ~ ')', divisor)) }}
{%- endmacro %}
