"""Channel, service, product and data-quality figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .spec import FigureSpec, label, layout, relation, values

RECENT_MONTHS = 24
TOP_PAIRS = 15


def build_channel_mix(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    totals = frame.groupby("channel_code")["net_revenue"].sum().sort_values(ascending=False)
    for channel in totals.index:
        rows = frame[frame["channel_code"] == channel]
        figure.add_trace(go.Scatter(x=values(rows, "month_start"), y=values(rows, "month_revenue_share"),
                                    name=label(channel), stackgroup="share", mode="lines",
                                    hovertemplate="%{y:.1%}<extra>" + label(channel) + "</extra>"))
    return layout(figure, yaxis_title="Share of the month's revenue", yaxis_tickformat=".0%",
                  yaxis_range=[0, 1], hovermode="x unified")


CHANNEL_MIX = FigureSpec(
    slug="channel-mix",
    title="Channel mix: where revenue comes from, month by month",
    caption="Each sales channel's share of the month's revenue (stores, web shop, app, call centre, field sales, ...).",
    marts=("fct_channel_performance_monthly",),
    query=f"""
        select month_start, channel_code, net_revenue, month_revenue_share
        from {relation('fct_channel_performance_monthly')}
        order by month_start, channel_code""",
    build=build_channel_mix,
)


def build_multichannel(frame: pd.DataFrame) -> go.Figure:
    groups = [label(b) for b in values(frame, "channel_behaviour")]
    figure = go.Figure()
    figure.add_trace(go.Bar(x=groups, y=values(frame, "customer_share"), name="Share of customers",
                            texttemplate="%{y:.0%}", textposition="outside"))
    figure.add_trace(go.Bar(x=groups, y=values(frame, "revenue_share"), name="Share of revenue",
                            customdata=values(frame, "mean_net_revenue"), textposition="outside",
                            texttemplate="%{y:.0%}<br>%{customdata:,.0f} per customer"))
    return layout(figure, barmode="group", yaxis_tickformat=".0%", yaxis_range=[0, 1.1])


MULTICHANNEL_VALUE = FigureSpec(
    slug="multichannel-value",
    title="Customers who buy through several channels are worth more",
    caption="Share of customers and of revenue, and revenue per customer, for one-channel and several-channel buyers.",
    marts=("rpt_multichannel_value",),
    query=f"""
        select channel_behaviour, customers, customer_share, revenue_share, mean_net_revenue
        from {relation('rpt_multichannel_value')}
        order by channel_behaviour""",
    build=build_multichannel,
)


def build_service_load(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for category in sorted(set(frame["ticket_category"])):
        rows = frame[frame["ticket_category"] == category]
        figure.add_trace(go.Bar(x=values(rows, "month_start"), y=values(rows, "tickets_opened"), name=label(category)))
    return layout(figure, barmode="stack", yaxis_title="Tickets opened", hovermode="x unified")


SERVICE_LOAD = FigureSpec(
    slug="service-load",
    title="Customer service load",
    caption=f"Service tickets opened each month by kind (inquiry, complaint, repair, return), last {RECENT_MONTHS} "
            "months, all service channels together.",
    marts=("fct_service_load_monthly",),
    query=f"""
        select month_start, ticket_category, sum(tickets_opened) as tickets_opened
        from {relation('fct_service_load_monthly')}
        where month_start > (select max(month_start) from {relation('fct_service_load_monthly')})
            - interval {RECENT_MONTHS} month
        group by month_start, ticket_category
        order by month_start, ticket_category""",
    build=build_service_load,
)


def build_affinity(frame: pd.DataFrame) -> go.Figure:
    pairs = [f"{a} + {b}" for a, b in zip(values(frame, "product_a"), values(frame, "product_b"))]
    figure = go.Figure(go.Bar(
        y=pairs, x=values(frame, "lift"), orientation="h", name="Lift", customdata=values(frame, "pair_orders"),
        hovertemplate="%{y}: bought together %{x:.1f}x more often than by chance (%{customdata} orders)"
                      "<extra></extra>"))
    return layout(figure, height=520, margin={"l": 330, "r": 30, "t": 30, "b": 50}, showlegend=False,
                  xaxis_title="Lift (1 = no more often than chance)", yaxis={"autorange": "reversed"})


PRODUCT_AFFINITY = FigureSpec(
    slug="product-affinity",
    title="Products bought together",
    caption=f"The {TOP_PAIRS} product pairs bought together most often compared with chance: "
            "candidates for bundles and cross-selling.",
    marts=("fct_product_affinity", "dim_products"),
    query=f"""
        select affinity.product_pair_id, product_a.product_name as product_a, product_b.product_name as product_b,
               affinity.pair_orders, affinity.lift
        from {relation('fct_product_affinity')} as affinity
        join {relation('dim_products')} as product_a on affinity.product_a_id = product_a.product_id
        join {relation('dim_products')} as product_b on affinity.product_b_id = product_b.product_id
        order by affinity.lift desc, affinity.product_pair_id
        limit {TOP_PAIRS}""",
    build=build_affinity,
)


def build_quarantine(frame: pd.DataFrame) -> go.Figure:
    reasons = [f"{label(t)}: {label(r).lower()}" for t, r in zip(values(frame, "source_table"),
                                                                  values(frame, "rejection_reason"))]
    figure = go.Figure(go.Bar(y=reasons, x=values(frame, "quarantined_rows"), orientation="h", name="Rows held back",
                              hovertemplate="%{y}: %{x:,} rows<extra></extra>"))
    if frame.empty:
        figure.add_annotation(text="No rows held back", showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    return layout(figure, height=300, margin={"l": 300, "r": 30, "t": 30, "b": 50}, showlegend=False,
                  xaxis_title="Source rows held back", yaxis={"autorange": "reversed"})


QUARANTINE = FigureSpec(
    slug="quarantine",
    title="Source rows held back, by reason",
    caption="Rows of the CRM extract that broke a business rule and are kept aside instead of counted.",
    marts=("int_quarantine__rejected_rows",),
    query=f"""
        select source_table, rejection_reason, count(*) as quarantined_rows
        from {relation('int_quarantine__rejected_rows')}
        group by source_table, rejection_reason
        order by quarantined_rows desc, source_table, rejection_reason""",
    build=build_quarantine,
)
