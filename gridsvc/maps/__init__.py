"""Maps that work with no internet: folium builders, print sheets, contact cards, org charts."""
