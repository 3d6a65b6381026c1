package metrics

// For the tests of package metrics_test, which start the controllers (that
// import this package).
var (
	PanelQueries = panelQueries
	Selectors    = selectors
)
