"""Sales figures: the revenue trend, the sales funnel, win rate by rep and campaign returns."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .spec import FigureSpec, label, layout, relation, values


def build_revenue_trend(frame: pd.DataFrame) -> go.Figure:
    months = values(frame, "month_start")
    complete = values(frame, "is_complete_month")
    figure = go.Figure()
    figure.add_trace(go.Bar(x=months, y=values(frame, "net_revenue"), name="Revenue",
                            marker={"color": ["#1f4e79" if c else "#9fb8d3" for c in complete]},
                            customdata=["" if c else " (month not over yet)" for c in complete],
                            hovertemplate="%{y:,.0f}%{customdata}<extra>Revenue</extra>"))
    figure.add_trace(go.Scatter(x=months, y=values(frame, "same_month_last_year_net_revenue"), mode="lines",
                                name="Revenue, same month last year", line={"dash": "dot", "color": "#7f8c8d"}))
    figure.add_trace(go.Scatter(x=months, y=values(frame, "gross_margin"), mode="lines", name="Gross margin",
                                line={"color": "#e07b39"}))
    return layout(figure, yaxis_title="Amount (reporting currency)", yaxis_tickformat=",.0f", hovermode="x unified")


REVENUE_TREND = FigureSpec(
    slug="revenue-trend",
    title="Revenue and margin by month",
    caption="Monthly revenue after discounts and its gross margin, against the same month a year earlier.",
    marts=("fct_sales_monthly",),
    query=f"""
        select month_start, is_complete_month, net_revenue, gross_margin, same_month_last_year_net_revenue
        from {relation('fct_sales_monthly')}
        order by month_start""",
    build=build_revenue_trend,
)

# Funnel stages in order: (column of fct_sales_funnel, what a sales manager calls it).
FUNNEL_STAGES: list[tuple[str, str]] = [
    ("leads", "Leads captured"),
    ("qualified_leads", "Leads qualified"),
    ("opportunities", "Opportunities opened"),
    ("reached_qualification", "Reached qualification"),
    ("reached_proposal", "Reached proposal"),
    ("reached_negotiation", "Reached negotiation"),
    ("won", "Won"),
]


def build_funnel(frame: pd.DataFrame) -> go.Figure:
    row = frame.iloc[0]
    figure = go.Figure(go.Funnel(y=[name for _, name in FUNNEL_STAGES],
                                 x=[int(row[column]) for column, _ in FUNNEL_STAGES],
                                 textinfo="value+percent initial"))
    return layout(figure, margin={"l": 170, "r": 30, "t": 30, "b": 40}, showlegend=False)


SALES_FUNNEL = FigureSpec(
    slug="sales-funnel",
    title="Sales funnel: from lead to won deal",
    caption="All leads and deals up to the report date, stage by stage, with the share of leads left at each stage.",
    marts=("fct_sales_funnel",),
    query="select " + ", ".join(f"sum({c}) as {c}" for c, _ in FUNNEL_STAGES)
          + f"\n        from {relation('fct_sales_funnel')}",
    build=build_funnel,
)


def build_rep_win_rate(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    for team in sorted(set(frame["team"])):
        rows = frame[frame["team"] == team]
        figure.add_trace(go.Bar(x=[f"Rep {r}" for r in values(rows, "sales_rep_id")], y=values(rows, "win_rate"),
                                name=team, customdata=list(zip(values(rows, "won"), values(rows, "lost"))),
                                hovertemplate="%{x}: %{y:.0%} (won %{customdata[0]}, lost %{customdata[1]})"
                                              "<extra>" + team + "</extra>"))
    order = [f"Rep {r}" for r in values(frame, "sales_rep_id")]
    return layout(figure, yaxis_title="Win rate (won / closed)", yaxis_tickformat=".0%",
                  xaxis={"categoryorder": "array", "categoryarray": order})


REP_WIN_RATE = FigureSpec(
    slug="rep-win-rate",
    title="Win rate by sales rep",
    caption="Share of each rep's closed deals that were won, coloured by team (reps with no closed deal left out).",
    marts=("fct_sales_rep_performance",),
    query=f"""
        select sales_rep_id, team, won, lost, win_rate
        from {relation('fct_sales_rep_performance')}
        where win_rate is not null
        order by win_rate desc, sales_rep_id""",
    build=build_rep_win_rate,
)


def build_campaigns(frame: pd.DataFrame) -> go.Figure:
    figure = go.Figure()
    largest = max(values(frame, "budget") or [1.0]) or 1.0
    for campaign_type in sorted(set(frame["campaign_type"])):
        rows = frame[frame["campaign_type"] == campaign_type]
        figure.add_trace(go.Scatter(
            x=values(rows, "response_rate"), y=values(rows, "return_on_budget"), mode="markers",
            name=label(campaign_type),
            text=values(rows, "campaign_name"), customdata=values(rows, "budget"),
            marker={"size": [8 + 30 * (b / largest) for b in values(rows, "budget")], "opacity": 0.75},
            hovertemplate="%{text}<br>response %{x:.1%}, return %{y:.0%}, budget %{customdata:,.0f}<extra></extra>"))
    figure.add_hline(y=0, line={"dash": "dot", "color": "#999999"})
    return layout(figure, xaxis_title="Response rate (customers who responded / reached)", xaxis_tickformat=".0%",
                  yaxis_title="Return on budget ((margin - budget) / budget)", yaxis_tickformat=".0%")


CAMPAIGN_RETURN = FigureSpec(
    slug="campaign-return",
    title="Campaigns: response and return on budget",
    caption="Each paid campaign's response rate against the margin it earned back on its budget; "
            "bubble size is the budget.",
    marts=("fct_campaign_performance",),
    query=f"""
        select campaign_id, campaign_name, campaign_type, budget, response_rate, return_on_budget
        from {relation('fct_campaign_performance')}
        where budget > 0
        order by campaign_id""",
    build=build_campaigns,
)
