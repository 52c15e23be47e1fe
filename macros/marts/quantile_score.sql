{#-
    Score 1..buckets from a row's rank among `rows` rows: 1 + floor(buckets * (rank - 1) / rows).
    The rank is 1-based and puts the best value last (rank ascending by value, or descending
    when a lower value is better, as for recency).

    Ties: ntile() would split equal values across buckets arbitrarily, so two customers with
    the same value could get different scores. Here the rank must give equal values the same
    (lowest) rank, as rank() does, or 1 + the count of rows ranked before the value. Equal
    values then always share a score, and a heavily tied value is scored conservatively (a
    crowd of one-time buyers does not reach the top quintile).
-#}
{% macro quantile_score(rank, rows, buckets) -%}
    cast(1 + floor(
        {{ buckets }} * ({{ rank }} - 1) / cast({{ rows }} as {{ type_double() }})
    ) as {{ dbt.type_int() }})
{%- endmacro %}
