"""Customer figures: value pyramid and Pareto line, RFM segments, lifecycle moves, churn, cohorts."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .spec import LIFECYCLE_ORDER, SEGMENT_ORDER, FigureSpec, label, layout, ordered, relation, values

RECENT_MONTHS = 24  # trend figures over customer states show the last two years


def _recent(mart: str, column: str = "month_start") -> str:
    """SQL filter keeping the last RECENT_MONTHS months of a monthly mart."""
    return f"{column} > (select max({column}) from {relation(mart)}) - interval {RECENT_MONTHS} month"


def build_value_pyramid(frame: pd.DataFrame) -> go.Figure:
    figure = make_subplots(rows=1, cols=2, column_widths=[0.5, 0.5], horizontal_spacing=0.12,
                           subplot_titles=("Shares of customers, margin and revenue, by tier",
                                           "Pareto line: best customers first"))
    tiers = [label(t) for t in values(frame, "value_tier")]
    for column, name in (("customer_share", "Share of customers"), ("margin_share", "Share of margin"),
                         ("revenue_share", "Share of revenue")):
        figure.add_trace(go.Bar(y=tiers, x=values(frame, column), name=name, orientation="h",
                                hovertemplate="%{y}: %{x:.1%}<extra>" + name + "</extra>"), row=1, col=1)
    # Pareto line: cumulative customer share against cumulative revenue share, tier by tier (shares add up).
    cumulative_customers = [0.0, *frame["customer_share"].cumsum().tolist()]
    cumulative_revenue = [0.0, *frame["revenue_share"].cumsum().tolist()]
    figure.add_trace(go.Scatter(x=cumulative_customers, y=cumulative_revenue, mode="lines+markers",
                                name="Cumulative share of revenue", text=["", *tiers],
                                hovertemplate="%{text}: top %{x:.0%} of customers bring %{y:.0%} of revenue"
                                              "<extra></extra>"), row=1, col=2)
    top_share, top_revenue = values(frame, "top_customer_share")[0], values(frame, "top_customers_revenue_share")[0]
    figure.add_trace(go.Scatter(x=[top_share], y=[top_revenue], mode="markers+text", name="Pareto check",
                                marker={"size": 12, "symbol": "diamond"},
                                text=[f"top {top_share:.0%} bring {top_revenue:.0%}"], textposition="bottom right",
                                hovertemplate="top %{x:.0%} of customers bring %{y:.1%} of revenue<extra></extra>"),
                     row=1, col=2)
    figure.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="Equal shares",
                                line={"dash": "dot", "color": "#bbbbbb"}, hoverinfo="skip"), row=1, col=2)
    figure.update_yaxes(autorange="reversed", row=1, col=1)
    figure.update_xaxes(tickformat=".0%", row=1, col=1)
    figure.update_xaxes(tickformat=".0%", range=[0, 1], title_text="Share of customers", row=1, col=2)
    figure.update_yaxes(tickformat=".0%", range=[0, 1.02], title_text="Share of revenue", row=1, col=2)
    return layout(figure, height=460, margin={"l": 100, "r": 30, "t": 40, "b": 110},
                  legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0})


VALUE_PYRAMID = FigureSpec(
    slug="value-pyramid",
    title="Customer value pyramid and the 80/20 rule",
    caption="How few customers bring most of the margin and revenue, by value tier, with the Pareto line.",
    marts=("rpt_customer_value_pyramid", "rpt_customer_pareto"),
    query=f"""
        select pyramid.value_tier, pyramid.tier_order, pyramid.customers, pyramid.customer_share,
               pyramid.margin_share, pyramid.revenue_share,
               pareto.top_customer_share, pareto.top_customers_revenue_share
        from {relation('rpt_customer_value_pyramid')} as pyramid
        cross join {relation('rpt_customer_pareto')} as pareto
        order by pyramid.tier_order""",
    build=build_value_pyramid,
)


def build_rfm_segments(frame: pd.DataFrame) -> go.Figure:
    frame = ordered(frame, "rfm_segment", SEGMENT_ORDER)
    figure = go.Figure(go.Bar(x=[label(s) for s in values(frame, "rfm_segment")], y=values(frame, "customers"),
                              customdata=values(frame, "monetary"), name="Customers",
                              hovertemplate="%{x}: %{y:,} customers, %{customdata:,.0f} spent in the window"
                                            "<extra></extra>"))
    return layout(figure, yaxis_title="Customers", showlegend=False)


RFM_SEGMENTS = FigureSpec(
    slug="rfm-segments",
    title="Customers by RFM segment today",
    caption="How many buying customers sit in each segment of recency, frequency and spend.",
    marts=("fct_customer_rfm",),
    query=f"""
        select rfm_segment, count(*) as customers, sum(monetary) as monetary
        from {relation('fct_customer_rfm')}
        group by rfm_segment
        order by rfm_segment""",
    build=build_rfm_segments,
)


def build_rfm_movement(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for segment in [s for s in SEGMENT_ORDER if s in set(frame["rfm_segment"])]:
        rows = frame[frame["rfm_segment"] == segment]
        figure.add_trace(go.Scatter(x=values(rows, "month_start"), y=values(rows, "customers"), mode="lines",
                                    name=label(segment)))
    return layout(figure, yaxis_title="Customers at month end", hovermode="x unified")


RFM_MOVEMENT = FigureSpec(
    slug="rfm-movement",
    title="RFM segment sizes, month by month",
    caption=f"How each segment grew or shrank over the last {RECENT_MONTHS} months (customers at each month's end).",
    marts=("fct_customer_monthly_snapshot",),
    query=f"""
        select month_start, rfm_segment, count(*) as customers
        from {relation('fct_customer_monthly_snapshot')}
        where rfm_segment is not null and {_recent('fct_customer_monthly_snapshot')}
        group by month_start, rfm_segment
        order by month_start, rfm_segment""",
    build=build_rfm_movement,
)


def build_lifecycle(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for stage in [s for s in LIFECYCLE_ORDER if s in set(frame["to_stage"])]:
        rows = frame[frame["to_stage"] == stage]
        figure.add_trace(go.Bar(x=values(rows, "month_start"), y=values(rows, "customers"), name=f"to {label(stage)}"))
    return layout(figure, barmode="stack", yaxis_title="Customers changing stage", hovermode="x unified")


LIFECYCLE_TRANSITIONS = FigureSpec(
    slug="lifecycle-transitions",
    title="Customers moving between lifecycle stages",
    caption=f"Each month, how many customers moved into each lifecycle stage (last {RECENT_MONTHS} months).",
    marts=("fct_lifecycle_transitions_monthly",),
    query=f"""
        select month_start, to_stage, sum(customers) as customers
        from {relation('fct_lifecycle_transitions_monthly')}
        where is_stage_change and from_stage <> 'none' and {_recent('fct_lifecycle_transitions_monthly')}
        group by month_start, to_stage
        order by month_start, to_stage""",
    build=build_lifecycle,
)


def build_churn(frame: pd.DataFrame) -> go.Figure:
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    months = values(frame, "month_start")
    figure.add_trace(go.Bar(x=months, y=values(frame, "churned_customers"), name="Customers lost"))
    figure.add_trace(go.Bar(x=months, y=values(frame, "reactivated_customers"), name="Customers won back"))
    figure.add_trace(go.Scatter(x=months, y=values(frame, "churn_rate"), name="Churn rate", mode="lines"),
                     secondary_y=True)
    figure.update_yaxes(title_text="Customers", secondary_y=False)
    figure.update_yaxes(title_text="Churn rate", tickformat=".1%", secondary_y=True, showgrid=False, rangemode="tozero")
    return layout(figure, barmode="group", hovermode="x unified")


CHURN = FigureSpec(
    slug="churn",
    title="Customers lost and won back",
    caption="Each month, customers who stopped buying (a year without a purchase), those who came back, "
            "and the churn rate.",
    marts=("fct_churn_retention_monthly",),
    query=f"""
        select month_start, churned_customers, reactivated_customers, churn_rate
        from {relation('fct_churn_retention_monthly')}
        order by month_start""",
    build=build_churn,
)


def build_cohorts(frame: pd.DataFrame) -> go.Figure:
    grid = frame.pivot(index="cohort_month", columns="months_since_first_purchase", values="retention_rate")
    z = [[None if v != v else float(v) for v in row] for row in grid.to_numpy().tolist()]  # NaN -> gap
    figure = go.Figure(go.Heatmap(
        z=z, x=[int(m) for m in grid.columns], y=[pd.Timestamp(c).strftime("%Y-%m") for c in grid.index],
        colorscale="Blues", zmin=0, colorbar={"title": {"text": "Still buying"}, "tickformat": ".0%"},
        hovertemplate="first bought %{y}, after %{x} months: %{z:.1%} bought again<extra></extra>"))
    return layout(figure, height=640, xaxis_title="Months since first purchase", yaxis_title="Month of first purchase",
                  yaxis={"autorange": "reversed", "type": "category"})


COHORT_RETENTION = FigureSpec(
    slug="cohort-retention",
    title="Do new customers come back? Retention by month of first purchase",
    caption="Share of each month's new customers who bought again 1 to 24 months later.",
    marts=("fct_cohort_retention",),
    query=f"""
        select cohort_month, months_since_first_purchase, retention_rate
        from {relation('fct_cohort_retention')}
        where months_since_first_purchase between 1 and 24
        order by cohort_month, months_since_first_purchase""",
    build=build_cohorts,
)


def build_satisfaction(frame: pd.DataFrame) -> go.Figure:
    frame = ordered(frame, "rfm_segment", SEGMENT_ORDER)
    segments = [label(s) for s in values(frame, "rfm_segment")]
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(go.Bar(x=segments, y=values(frame, "satisfaction_index"), name="Satisfaction index",
                            hovertemplate="%{x}: %{y:.2f}<extra>satisfaction vs expectation</extra>"))
    figure.add_trace(go.Scatter(x=segments, y=values(frame, "complaint_rate"), name="Complaint rate",
                                mode="lines+markers"), secondary_y=True)
    figure.update_yaxes(title_text="Satisfaction / expectation", secondary_y=False)
    figure.update_yaxes(title_text="Share of tickets that are complaints", tickformat=".0%", secondary_y=True,
                        showgrid=False, rangemode="tozero")
    return layout(figure)


SATISFACTION = FigureSpec(
    slug="satisfaction-by-segment",
    title="Service satisfaction by customer segment",
    caption="How satisfied each RFM segment is with service (1 = as expected) and how often it complains.",
    marts=("rpt_customer_satisfaction_by_segment",),
    query=f"""
        select rfm_segment, customers, tickets, complaint_rate, satisfaction_index
        from {relation('rpt_customer_satisfaction_by_segment')}
        order by rfm_segment""",
    build=build_satisfaction,
)
