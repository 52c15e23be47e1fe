{#-
    SCD2 history of each unified customer's changing attributes. A new version is written
    when any checked attribute changes between builds; `state_as_of` records the as_of_date
    the version was first observed at, so history is dated by the data, not by the wall
    clock. dim_customers_history turns the versions into valid_from / valid_to.
    Only history builds record versions (macro is_history_build): a build with other --vars
    selects no rows here, and a snapshot without rows changes nothing.
-#}
{% snapshot snap_customer_state %}
    {{ config(
        unique_key='customer_key',
        strategy='check',
        check_cols=[
            'customer_type', 'region', 'country_code', 'preferred_channel_code',
            'rfm_segment', 'value_tier', 'lifecycle_stage', 'is_churned',
        ],
    ) }}

select
    customer_key,
    customer_type,
    region,
    country_code,
    preferred_channel_code,
    rfm_segment,
    value_tier,
    lifecycle_stage,
    is_churned,
    as_of_date as state_as_of
from {{ ref('dim_customers') }}
where {{ is_history_build() }}
{% endsnapshot %}
