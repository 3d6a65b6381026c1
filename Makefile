# Control plane versions the tests and the demo run against (built by hack/setup-envtest.sh).
K8S_VERSION ?= 1.37.2
ETCD_VERSION ?= 3.6.16
export K8S_VERSION ETCD_VERSION

CONTROLLER_GEN = go tool controller-gen
# Evaluated only by the targets that need it: building the binaries takes minutes once.
ENVTEST_ASSETS = $$(hack/setup-envtest.sh)
HELM_VERSION ?= 3.22.0
export HELM_VERSION
HELM = $$(hack/setup-helm.sh)
CHART = charts/shopify-odoo-connector

.PHONY: all
all: build

.PHONY: build
build: ## Build the manager binary into bin/.
	go build -o bin/manager .

.PHONY: generate
generate: ## Generate deepcopy code.
	$(CONTROLLER_GEN) object:headerFile=hack/boilerplate.go.txt paths=./api/...

.PHONY: manifests
manifests: ## Generate CRDs and RBAC from the markers, and copy them into the chart.
	$(CONTROLLER_GEN) crd paths=./api/... output:crd:artifacts:config=config/crd/bases
	$(CONTROLLER_GEN) rbac:roleName=manager-role paths=./controllers/... output:rbac:artifacts:config=config/rbac
	hack/sync-chart.sh

.PHONY: verify-generated
verify-generated: ## Fail when generated files are stale.
	hack/verify-generated.sh

.PHONY: lint
lint: ## gofmt check and go vet.
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	go vet ./...

.PHONY: envtest
envtest: ## Build (once) the kube-apiserver and etcd the tests use.
	hack/setup-envtest.sh >/dev/null

.PHONY: helm
helm: ## Build (once) the helm the chart is linted and tested with.
	hack/setup-helm.sh >/dev/null

.PHONY: lint-chart
lint-chart: helm ## helm lint the chart with its default and namespaced values.
	$(HELM) lint --strict $(CHART)
	$(HELM) lint --strict $(CHART) --values $(CHART)/ci/namespaced-values.yaml

.PHONY: test
test: verify-generated lint lint-chart envtest ## Unit and envtest tests (the chart's install test too), then a short fuzz: what CI runs.
	HELM=$(HELM) KUBEBUILDER_ASSETS=$(ENVTEST_ASSETS) go test -count=1 ./...
	$(MAKE) fuzz FUZZTIME=5s

# Fuzz targets, one package each (go test fuzzes one target at a time).
FUZZ_TARGETS = ./internal/importer:FuzzPlanOrder ./internal/shopify:FuzzVerifyWebhook
FUZZTIME ?= 1m

.PHONY: fuzz
fuzz: ## Run each fuzz target for FUZZTIME (default 1m).
	@for t in $(FUZZ_TARGETS); do \
	  go test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" || exit 1; \
	done

.PHONY: bench
bench: envtest ## Benchmarks, printing their figures.
	@mkdir -p bin; KUBEBUILDER_ASSETS=$(ENVTEST_ASSETS) go test -run '^$$' -bench . ./... > bin/bench.txt; \
	  status=$$?; hack/bench-table.sh < bin/bench.txt; exit $$status

.PHONY: conformance
conformance: ## Run the order flows against the real Odoo of ODOO_URL, ODOO_DB, ODOO_USER, ODOO_API_KEY and its simulator; ARGS="-record DIR ...".
	go run ./test/cmd/conformance $(ARGS)

.PHONY: run
run: ## Run the manager against the current kubeconfig.
	go run . --metrics-bind-address=:8080 --metrics-secure=false --health-probe-bind-address=:8081

.PHONY: demo
demo: envtest ## Local control plane, simulators and samples.
	KUBEBUILDER_ASSETS=$(ENVTEST_ASSETS) go run ./hack/demo $(ARGS)

.PHONY: help
help:
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'
