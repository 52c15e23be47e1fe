{#-
    Score 1..buckets by quantile of `column` within `partition_by`: higher value, higher
    score (pass descending=true when a lower value is better, as for recency).

    Ties: ntile() would split equal values across buckets arbitrarily, so two customers with
    the same value could get different scores. Here every row gets the score of the first
    position its value occupies: 1 + floor(buckets * (rank - 1) / rows), with rank() giving
    ties the same (lowest) rank. Equal values always share a score, and a heavily tied value
    is scored conservatively (a crowd of one-time buyers does not reach the top quintile).
-#}
{% macro quantile_score(column, buckets, partition_by=none, descending=false) -%}
    cast(1 + floor(
        {{ buckets }} * (
            rank() over (
                {% if partition_by %}partition by {{ partition_by }}{% endif %}
                order by {{ column }} {{ "desc" if descending else "asc" }}
            ) - 1
        )
        / cast(count(*) over ({% if partition_by %}partition by {{ partition_by }}{% endif %}) as {{ type_double() }})
    ) as {{ dbt.type_int() }})
{%- endmacro %}
