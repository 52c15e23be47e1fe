{#-
    Score 1..len(breaks)+1 by fixed thresholds: `breaks` are the smallest values that earn
    scores 2, 3, ... (ascending). Unlike a quantile, a score means the same on any data set
    and at any date: with breaks [2, 3, 4, 6], score 4 is always "4 or 5 purchases".
-#}
{% macro threshold_score(column, breaks) -%}
    {%- if breaks | sort | list != breaks | list -%}
        {{ exceptions.raise_compiler_error("threshold_score: breaks must ascend, got " ~ breaks) }}
    {%- endif -%}
    case
        {%- for threshold in breaks | reverse %}
        when {{ column }} >= {{ threshold }} then {{ breaks | length - loop.index0 + 1 }}
        {%- endfor %}
        else 1
    end
{%- endmacro %}
