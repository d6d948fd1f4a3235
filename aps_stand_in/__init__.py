"""A local stand-in of the APS Insights export API, for tests and the demo: a real HTTP
server on 127.0.0.1 serving the sample-feed generator's data (sample_feeds.aps_exports),
with switches for the failures the fetch must survive or report."""
