"""One story as a wire service sends it and as a local paper copies it: the pair that story
grouping must merge into one alert."""

HERZOG = (
    "Israeli President Isaac Herzog will travel to Azerbaijan on Tuesday, on a visit meant to "
    "strengthen the strategic ties between Israel and the Shia Muslim country bordering on Iran. "
    "During the two-day visit, Herzog plans to meet his counterpart Ilham Aliyev."
)
HERZOG_COPY = (
    "JERUSALEM (Wire) - Israeli President Isaac Herzog will travel to Azerbaijan on Tuesday, on a "
    "visit meant to strengthen the strategic ties between Israel and the Shia Muslim country "
    "bordering on Iran. During the two-day trip, Herzog plans to meet President Ilham Aliyev."
)
