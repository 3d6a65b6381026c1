package v1alpha1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// Condition types of a ShopifyInstance, beside Ready, Reconciling and Stalled.
const (
	ConditionShopifyConnected = "ShopifyConnected"
	ConditionOdooConnected    = "OdooConnected"
	ConditionSuspended        = "Suspended"
	// ConditionStockExported says whether the last stock export succeeded.
	ConditionStockExported = "StockExported"
	// ConditionImportsScheduled is False while the app lacks the access
	// scopes of a scheduled product or customer import.
	ConditionImportsScheduled = "ImportsScheduled"
	// ConditionCustomerDataWithheld is True when Shopify withheld protected
	// customer data from the app, which imports go on without.
	ConditionCustomerDataWithheld = "CustomerDataWithheld"
)

// ShopifyInstanceSpec wires one Shopify store to one Odoo company.
// +kubebuilder:validation:XValidation:rule="!has(self.stock) || !has(self.stock.enabled) || !self.stock.enabled || (has(self.stock.locations) && size(self.stock.locations) > 0)",message="stock.locations must map at least one Shopify location when stock.enabled is true"
type ShopifyInstanceSpec struct {
	// Shopify is the store and how to reach it.
	Shopify ShopifySpec `json:"shopify"`

	// Odoo is the database and company the store's orders go to.
	Odoo OdooSpec `json:"odoo"`

	// Orders says which Shopify orders are imported and what they become in Odoo.
	// +optional
	Orders OrdersSpec `json:"orders,omitempty"`

	// Imports size and keep the ImportQueues of products and customers.
	// +optional
	Imports QueueSettings `json:"imports,omitempty"`

	// Products holds the defaults of product synchronisation.
	// +optional
	Products ProductsSpec `json:"products,omitempty"`

	// Stock exports Odoo quantities to Shopify locations.
	// +optional
	Stock StockSpec `json:"stock,omitempty"`

	// Fulfillment sends validated Odoo deliveries back to Shopify as fulfilments.
	// +optional
	Fulfillment FulfillmentSpec `json:"fulfillment,omitempty"`

	// Webhooks has Shopify send order changes as they happen; the scheduled
	// import stays on and picks up what webhooks miss.
	// +optional
	Webhooks WebhooksSpec `json:"webhooks,omitempty"`

	// Payouts brings Shopify Payments payouts into an Odoo bank journal.
	// +optional
	Payouts PayoutsSpec `json:"payouts,omitempty"`

	// Suspend stops scheduling and processing for this instance. Queues already
	// created stay as they are.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// ShopifySpec is the store and its credentials.
type ShopifySpec struct {
	// Shop is the store's myshopify.com domain, e.g. my-store.myshopify.com.
	// +kubebuilder:validation:MaxLength=255
	// +kubebuilder:validation:XValidation:rule="self.matches('^[a-z0-9][a-z0-9-]*\\\\.myshopify\\\\.com$')",message="shop must be the store's myshopify.com domain, e.g. my-store.myshopify.com"
	Shop string `json:"shop"`

	// APIVersion is the Admin API version, e.g. 2026-10. Defaults to the
	// version this release of the operator is built and tested against.
	// Versions before 2026-04 lack what the stock export needs (@idempotent
	// and changeFromQuantity required on inventory mutations).
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]{4}-(01|04|07|10)$')",message="apiVersion must be a Shopify API version such as 2026-10"
	// +kubebuilder:validation:XValidation:rule="self >= '2026-04'",message="apiVersion must be 2026-04 or later: earlier versions have no @idempotent and no changeFromQuantity"
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`

	// Endpoint replaces https://{shop} as the base URL, for simulators and
	// tests: the manager refuses it (Stalled, EndpointNotAllowed) unless it
	// runs with --allow-endpoint-override.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && self.matches('^https?://')",message="endpoint must be an http or https URL"
	// +optional
	Endpoint string `json:"endpoint,omitempty"`

	// CredentialsSecretRef names a Secret with either `clientId` and
	// `clientSecret` for the client-credentials grant (a Dev Dashboard app,
	// whose client secret also verifies webhooks), or `accessToken` and
	// `webhookSecret` (a custom app made in the store's admin). The Secret
	// must carry the label connector.shopify-odoo.dev/credentials: "true".
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`
}

// OdooProtocol is how the operator speaks to Odoo.
// +kubebuilder:validation:Enum=auto;jsonrpc;json2
type OdooProtocol string

// Odoo protocols.
const (
	OdooProtocolAuto    OdooProtocol = "auto"
	OdooProtocolJSONRPC OdooProtocol = "jsonrpc"
	OdooProtocolJSON2   OdooProtocol = "json2"
)

// OdooSpec is the Odoo database and the company the store belongs to.
type OdooSpec struct {
	// URL is the Odoo server, e.g. https://mycompany.odoo.com.
	// +kubebuilder:validation:MaxLength=2048
	// +kubebuilder:validation:XValidation:rule="isURL(self) && self.matches('^https?://')",message="url must be an http or https URL"
	URL string `json:"url"`

	// Database is the Odoo database name.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Database string `json:"database"`

	// CredentialsSecretRef names a Secret with `username` and `apiKey`,
	// labelled connector.shopify-odoo.dev/credentials: "true".
	CredentialsSecretRef SecretReference `json:"credentialsSecretRef"`

	// CABundleRef names PEM certificates of the authorities that sign the
	// Odoo server's certificate, e.g. a private CA of a self-hosted Odoo.
	// They replace the system's authorities for this Odoo.
	// +optional
	CABundleRef *CABundleReference `json:"caBundleRef,omitempty"`

	// Protocol is jsonrpc (Odoo 17 and 18), json2 (Odoo 19 and later) or auto,
	// which picks from the server version. Defaults to auto.
	// +optional
	Protocol OdooProtocol `json:"protocol,omitempty"`

	// Company is the Odoo company's name: every call works in it alone
	// (allowed_company_ids), so the records the spec names are looked up
	// among its own and shared ones, and the orders, invoices and payments
	// are its. The connector's user must be allowed in it. Defaults to the
	// user's default company.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Company string `json:"company,omitempty"`

	// Warehouse is the short name (code) of the warehouse orders ship from.
	// Defaults to the company's first warehouse.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Warehouse string `json:"warehouse,omitempty"`

	// Pricelist is the name of the pricelist on imported orders and the one
	// exported prices come from. Defaults to the customer's pricelist.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Pricelist string `json:"pricelist,omitempty"`

	// SalesTeam is the name of the sales team set on imported orders.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	SalesTeam string `json:"salesTeam,omitempty"`
}

// OrderStatus selects orders by how far they shipped.
// +kubebuilder:validation:Enum=unshipped;partial;shipped;cancelled
type OrderStatus string

// Order statuses.
const (
	OrderUnshipped OrderStatus = "unshipped"
	OrderPartial   OrderStatus = "partial"
	OrderShipped   OrderStatus = "shipped"
	OrderCancelled OrderStatus = "cancelled"
)

// RiskPolicy says what happens to an order Shopify flags as risky.
// +kubebuilder:validation:Enum=Quotation;Ignore;Skip
type RiskPolicy string

// Risk policies.
const (
	// RiskQuotation imports a risky order as a quotation for a person to confirm.
	RiskQuotation RiskPolicy = "Quotation"
	// RiskIgnore imports a risky order like any other.
	RiskIgnore RiskPolicy = "Ignore"
	// RiskSkip leaves a risky order out; its queue line says so.
	RiskSkip RiskPolicy = "Skip"
)

// UnknownProducts says what an order line whose product Odoo lacks does.
// +kubebuilder:validation:Enum=Fail;Create
type UnknownProducts string

// Unknown product policies.
const (
	// UnknownFail fails the order, naming the SKU: nothing is invented.
	UnknownFail UnknownProducts = "Fail"
	// UnknownCreate imports the Shopify product as the product import does,
	// then the order.
	UnknownCreate UnknownProducts = "Create"
)

// POSSpec says whether and how the orders of Shopify's point of sale
// (sourceName pos) are imported. Empty fields take the orders' own.
type POSSpec struct {
	// Enabled imports point of sale orders. Off (default), they are skipped
	// and their queue lines say so.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// NamePrefix of their Odoo order references, e.g. "POS-" gives POS-#1001.
	// +kubebuilder:validation:MaxLength=16
	// +optional
	NamePrefix string `json:"namePrefix,omitempty"`

	// GuestCustomer is the Odoo contact (by name) of point of sale orders
	// without a customer, most of them.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	GuestCustomer string `json:"guestCustomer,omitempty"`

	// Workflows for point of sale orders, as orders.workflows.
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Workflows []Workflow `json:"workflows,omitempty"`
}

// RiskSpec marks the quotations riskPolicy Quotation keeps for a person: a
// tag, Shopify's risk in the chatter, and a To-Do activity for a reviewer.
type RiskSpec struct {
	// Tag is the name of the crm.tag put on a risky quotation, made when
	// Odoo has none. Defaults to "Shopify: risky".
	// +kubebuilder:validation:MaxLength=64
	// +optional
	Tag string `json:"tag,omitempty"`

	// Reviewer is the login of the Odoo user given a To-Do activity on each
	// risky quotation. None when empty.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Reviewer string `json:"reviewer,omitempty"`
}

// FailureSpec gives an Odoo user a To-Do activity for each order whose
// queue line fails: one per order, closed once the order imports.
type FailureSpec struct {
	// ActivityUser is the login of the Odoo user given the activities.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	ActivityUser string `json:"activityUser"`

	// Record carries the activity of an order that has no sale order yet.
	// Defaults to the journal of the first workflow naming one.
	// +optional
	Record *OdooRecord `json:"record,omitempty"`
}

// OdooRecord names an Odoo record that can carry activities.
type OdooRecord struct {
	// Model of the record.
	// +kubebuilder:validation:Enum=account.journal;res.partner
	Model string `json:"model"`

	// Name of the record.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name"`
}

// OrdersSpec says which orders are imported and what they become.
// +kubebuilder:validation:XValidation:rule="!has(self.roundingLimit) || has(self.roundingProduct)",message="roundingLimit needs roundingProduct"
// +kubebuilder:validation:XValidation:rule="!has(self.unknownProducts) || self.unknownProducts != 'Create' || has(self.productCategory)",message="unknownProducts Create needs productCategory, the Odoo category of the products it creates"
// +kubebuilder:validation:XValidation:rule="(!has(self.productCategory) && !has(self.productType)) || (has(self.unknownProducts) && self.unknownProducts == 'Create')",message="productCategory and productType are for unknownProducts Create"
type OrdersSpec struct {
	// ImportInterval is how often the scheduled import runs. Defaults to 10m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="importInterval must be at least 1m"
	// +optional
	ImportInterval *metav1.Duration `json:"importInterval,omitempty"`

	// ImportAfter leaves out orders created before this time. Defaults to the
	// time the instance was created.
	// +optional
	ImportAfter *metav1.Time `json:"importAfter,omitempty"`

	// Statuses are the fulfilment statuses imported. Defaults to unshipped and
	// partial.
	// +listType=set
	// +kubebuilder:validation:MaxItems=4
	// +optional
	Statuses []OrderStatus `json:"statuses,omitempty"`

	// QueueSettings size and keep the OrderQueues.
	QueueSettings `json:",inline"`

	// NamePrefix is put before the Shopify order name in the Odoo order
	// reference, e.g. "SHOP-" gives SHOP-#1001.
	// +kubebuilder:validation:MaxLength=16
	// +optional
	NamePrefix string `json:"namePrefix,omitempty"`

	// RiskPolicy: Quotation (default), Ignore or Skip.
	// +optional
	RiskPolicy RiskPolicy `json:"riskPolicy,omitempty"`

	// Risk says how a risky quotation is marked in Odoo.
	// +optional
	Risk RiskSpec `json:"risk,omitempty"`

	// OnFailure tells a person in Odoo when an order fails to import.
	// +optional
	OnFailure *FailureSpec `json:"onFailure,omitempty"`

	// Workflows say, by financial status and payment gateway, how far an
	// imported order goes. An order that matches no row fails its queue line.
	// The first matching row wins.
	// +kubebuilder:validation:MaxItems=32
	// +optional
	Workflows []Workflow `json:"workflows,omitempty"`

	// ShippingProduct is the default code of the Odoo service product for
	// shipping lines.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	ShippingProduct string `json:"shippingProduct,omitempty"`

	// DiscountProduct is the default code of the product for order-level
	// discounts. Without it, discounts become line discounts.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	DiscountProduct string `json:"discountProduct,omitempty"`

	// GiftCardProduct is the default code of the product for gift card lines.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	GiftCardProduct string `json:"giftCardProduct,omitempty"`

	// TipProduct is the default code of the product for tips.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	TipProduct string `json:"tipProduct,omitempty"`

	// RoundingProduct is the default code of the product for a rounding line
	// added when Odoo's total differs from Shopify's.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	RoundingProduct string `json:"roundingProduct,omitempty"`

	// RoundingLimit is the largest difference a rounding line may absorb, in
	// the order currency, e.g. "0.05". A larger difference fails the order.
	// +kubebuilder:validation:MaxLength=16
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]+(\\\\.[0-9]+)?$')",message="roundingLimit must be a decimal number such as 0.05"
	// +optional
	RoundingLimit string `json:"roundingLimit,omitempty"`

	// RefundAdjustmentProduct is the default code of the product for what a
	// Shopify refund gives back beyond its lines and shipping (an order
	// adjustment), on the refund's credit note.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	RefundAdjustmentProduct string `json:"refundAdjustmentProduct,omitempty"`

	// CancelInShopify cancels in Shopify the orders cancelled in Odoo.
	// +optional
	CancelInShopify CancelInShopify `json:"cancelInShopify,omitempty"`

	// RefundsToShopify refunds in Shopify the credit notes posted in Odoo.
	// +optional
	RefundsToShopify RefundsToShopify `json:"refundsToShopify,omitempty"`

	// Taxes maps Shopify tax lines to Odoo taxes.
	// +optional
	Taxes TaxesSpec `json:"taxes,omitempty"`

	// Customers says how Shopify customers map to Odoo contacts.
	// +optional
	Customers CustomersSpec `json:"customers,omitempty"`

	// POS says whether point of sale orders are imported, and how.
	// +optional
	POS POSSpec `json:"pos,omitempty"`

	// UnknownProducts: Fail (default) fails an order with a product Odoo
	// lacks, naming its SKU; Create imports the product from Shopify first.
	// +optional
	UnknownProducts UnknownProducts `json:"unknownProducts,omitempty"`

	// ProductCategory is the full name of the Odoo product category of the
	// products unknownProducts Create makes, e.g. "All / Saleable".
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ProductCategory string `json:"productCategory,omitempty"`

	// ProductType of the products unknownProducts Create makes: Goods
	// (default), Consumable or Service.
	// +optional
	ProductType ProductType `json:"productType,omitempty"`

	// CustomItemProduct is the default code of the product for custom
	// items, lines sold without a Shopify product. Unset, they are matched
	// by their SKU like any line.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	CustomItemProduct string `json:"customItemProduct,omitempty"`
}

// FinancialStatus is Shopify's displayFinancialStatus, lower case.
// +kubebuilder:validation:Enum=pending;authorized;partially_paid;paid;partially_refunded;refunded;voided;expired;any
type FinancialStatus string

// Workflow is one row of the auto-workflow table.
// +kubebuilder:validation:XValidation:rule="!has(self.createInvoice) || !self.createInvoice || (has(self.confirm) && self.confirm)",message="createInvoice needs confirm"
// +kubebuilder:validation:XValidation:rule="!has(self.postInvoice) || !self.postInvoice || (has(self.createInvoice) && self.createInvoice)",message="postInvoice needs createInvoice"
// +kubebuilder:validation:XValidation:rule="!has(self.registerPayment) || !self.registerPayment || (has(self.postInvoice) && self.postInvoice)",message="registerPayment needs postInvoice"
// +kubebuilder:validation:XValidation:rule="!has(self.registerPayment) || !self.registerPayment || has(self.journal)",message="registerPayment needs journal"
type Workflow struct {
	// FinancialStatus the row applies to; any matches every status.
	FinancialStatus FinancialStatus `json:"financialStatus"`

	// Gateway is the payment gateway name (e.g. shopify_payments, manual,
	// paypal); empty or "*" matches every gateway.
	// +kubebuilder:validation:MaxLength=128
	// +optional
	Gateway string `json:"gateway,omitempty"`

	// Confirm turns the quotation into a sales order.
	// +optional
	Confirm bool `json:"confirm,omitempty"`

	// CreateInvoice creates the customer invoice.
	// +optional
	CreateInvoice bool `json:"createInvoice,omitempty"`

	// PostInvoice posts the invoice.
	// +optional
	PostInvoice bool `json:"postInvoice,omitempty"`

	// RegisterPayment registers one payment per successful Shopify transaction.
	// +optional
	RegisterPayment bool `json:"registerPayment,omitempty"`

	// Journal is the name of the Odoo journal payments are registered in.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	Journal string `json:"journal,omitempty"`

	// PaymentTerm is the name of the Odoo payment term set on the order.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	PaymentTerm string `json:"paymentTerm,omitempty"`
}

// UnmappedTaxPolicy says what happens to a tax line without an explicit mapping.
// +kubebuilder:validation:Enum=MatchByRate;Fail
type UnmappedTaxPolicy string

// Unmapped tax policies.
const (
	// TaxMatchByRate looks up an Odoo sale tax with the same rate and
	// price-included flag, and fails the order when there is none.
	TaxMatchByRate UnmappedTaxPolicy = "MatchByRate"
	// TaxFail fails the order.
	TaxFail UnmappedTaxPolicy = "Fail"
)

// TaxesSpec maps Shopify tax lines to Odoo taxes.
type TaxesSpec struct {
	// Mappings are explicit; they win over matching by rate.
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Mappings []TaxMapping `json:"mappings,omitempty"`

	// Unmapped: MatchByRate (default) or Fail.
	// +optional
	Unmapped UnmappedTaxPolicy `json:"unmapped,omitempty"`
}

// TaxMapping maps one Shopify tax line (by title, and rate if given) to an Odoo tax.
type TaxMapping struct {
	// Title is the Shopify tax line title, e.g. "VAT 20%" or "CA State Tax".
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=128
	Title string `json:"title"`

	// Rate in percent, e.g. "20"; empty matches every rate.
	// +kubebuilder:validation:MaxLength=16
	// +kubebuilder:validation:XValidation:rule="self.matches('^[0-9]+(\\\\.[0-9]+)?$')",message="rate must be a decimal percentage such as 20 or 5.5"
	// +optional
	Rate string `json:"rate,omitempty"`

	// OdooTax is the name of the Odoo sale tax.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	OdooTax string `json:"odooTax"`
}

// CustomerMatch is how a Shopify customer is found among Odoo contacts.
// +kubebuilder:validation:Enum=Email;ShopifyID
type CustomerMatch string

// Customer matching.
const (
	// MatchEmail tries the email first, then the Shopify customer id.
	MatchEmail CustomerMatch = "Email"
	// MatchShopifyID only uses the Shopify customer id (an Odoo external id).
	MatchShopifyID CustomerMatch = "ShopifyID"
)

// CustomersSpec says how Shopify customers map to Odoo contacts.
type CustomersSpec struct {
	// MatchBy: Email (default) or ShopifyID.
	// +optional
	MatchBy CustomerMatch `json:"matchBy,omitempty"`

	// GuestCustomer is the name of the Odoo contact used for orders without a
	// customer, such as point-of-sale sales.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	GuestCustomer string `json:"guestCustomer,omitempty"`

	// Import imports the shop's customers on a schedule.
	// +optional
	Import CustomersImport `json:"import,omitempty"`
}

// ProductsSpec holds the defaults of product synchronisation.
type ProductsSpec struct {
	// ComparePricelist is the name of the Odoo pricelist compare-at prices come from.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	ComparePricelist string `json:"comparePricelist,omitempty"`

	// Interval is how often ProductExports of this instance re-check Odoo by
	// default. Defaults to 30m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Import imports the shop's products on a schedule.
	// +optional
	Import ProductsImport `json:"import,omitempty"`
}

// StockQuantity is which Odoo quantity is sent to Shopify.
// +kubebuilder:validation:Enum=Free;OnHand;Forecast
type StockQuantity string

// StockSpec exports Odoo quantities to Shopify locations.
type StockSpec struct {
	// Enabled turns the stock export on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Interval between exports. Defaults to 15m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// Quantity: Free (default, on hand less reserved), OnHand or Forecast.
	// +optional
	Quantity StockQuantity `json:"quantity,omitempty"`

	// Locations map Shopify locations to Odoo warehouses.
	// +listType=map
	// +listMapKey=shopifyLocation
	// +kubebuilder:validation:MaxItems=64
	// +optional
	Locations []LocationMapping `json:"locations,omitempty"`
}

// LocationMapping maps one Shopify location to an Odoo warehouse or location.
// +kubebuilder:validation:XValidation:rule="has(self.odooWarehouse) != has(self.odooLocation)",message="set exactly one of odooWarehouse and odooLocation"
type LocationMapping struct {
	// ShopifyLocation is the location's name or GID.
	// +kubebuilder:validation:MinLength=1
	// +kubebuilder:validation:MaxLength=256
	ShopifyLocation string `json:"shopifyLocation"`

	// OdooWarehouse is a warehouse's short name (code).
	// +kubebuilder:validation:MaxLength=256
	// +optional
	OdooWarehouse string `json:"odooWarehouse,omitempty"`

	// OdooLocation is a stock location's full name, e.g. WH/Stock/Shelf 1.
	// +kubebuilder:validation:MaxLength=256
	// +optional
	OdooLocation string `json:"odooLocation,omitempty"`
}

// FulfillmentSpec sends validated Odoo deliveries to Shopify.
type FulfillmentSpec struct {
	// Enabled turns the fulfilment export on.
	// +optional
	Enabled bool `json:"enabled,omitempty"`

	// Interval between exports. Defaults to 10m.
	// +kubebuilder:validation:XValidation:rule="duration(self) >= duration('1m')",message="interval must be at least 1m"
	// +optional
	Interval *metav1.Duration `json:"interval,omitempty"`

	// NotifyCustomer has Shopify email the customer about each fulfilment.
	// +optional
	NotifyCustomer bool `json:"notifyCustomer,omitempty"`
}

// ShopifyInstanceStatus is what the operator knows of both ends.
type ShopifyInstanceStatus struct {
	ReconcileStatus `json:",inline"`

	// Shop is what Shopify says of the store.
	// +optional
	Shop *ShopInfo `json:"shop,omitempty"`

	// Odoo is what the Odoo server says of itself.
	// +optional
	Odoo *OdooInfo `json:"odoo,omitempty"`

	// ImportWatermark: orders updated before it have been queued.
	// +optional
	ImportWatermark *metav1.Time `json:"importWatermark,omitempty"`

	// LastImportTime is when the scheduled import last ran.
	// +optional
	LastImportTime *metav1.Time `json:"lastImportTime,omitempty"`

	// OrdersListing is the bulk operation listing a backlog of orders
	// longer than a page, while it runs.
	// +optional
	OrdersListing *BulkOperationStatus `json:"ordersListing,omitempty"`

	// Counters are the instance's dashboard: totals that each queue adds
	// to once it finishes, kept when the queue is deleted.
	// +optional
	Counters Counters `json:"counters,omitempty"`

	// CountedQueues are the last queue attempts added to the counters
	// (uid/attempt), so that none is added twice.
	// +listType=atomic
	// +kubebuilder:validation:MaxItems=32
	// +kubebuilder:validation:items:MaxLength=64
	// +optional
	CountedQueues []string `json:"countedQueues,omitempty"`

	// RiskyReviewed are the risky quotations of the shop people confirmed or
	// cancelled in Odoo when the orders were last listed: the counters move
	// by what changed since.
	// +optional
	RiskyReviewed *RiskyReviewed `json:"riskyReviewed,omitempty"`

	// Stock is what the last stock export did.
	// +optional
	Stock *StockStatus `json:"stock,omitempty"`

	// Fulfillment is what the last fulfilment export did.
	// +optional
	Fulfillment *FulfillmentStatus `json:"fulfillment,omitempty"`

	// Refunds is what the last refund of Odoo credit notes in Shopify did.
	// +optional
	Refunds *RefundsStatus `json:"refunds,omitempty"`

	// Webhooks are the instance's subscriptions and what its webhooks said.
	// +optional
	Webhooks *WebhooksStatus `json:"webhooks,omitempty"`

	// Payouts is what the last look for payouts found.
	// +optional
	Payouts *PayoutsStatus `json:"payouts,omitempty"`

	// Imports is how far the scheduled product and customer imports got.
	// +optional
	Imports *ImportsStatus `json:"imports,omitempty"`
}

// StockStatus counts what the last stock export did, by item and location.
type StockStatus struct {
	// LastAttemptTime is when the last stock export ran, whatever its outcome.
	// +optional
	LastAttemptTime *metav1.Time `json:"lastAttemptTime,omitempty"`
	// LastExportTime is when the last successful stock export finished.
	// +optional
	LastExportTime *metav1.Time `json:"lastExportTime,omitempty"`
	// Items are the tracked Shopify items with an Odoo product.
	Items int32 `json:"items"`
	// Sent are the quantities that changed and were sent.
	Sent int32 `json:"sent"`
	// Activated are the items stocked at a location for the first time.
	Activated int32 `json:"activated"`
	// Unchanged are the quantities Shopify already had.
	Unchanged int32 `json:"unchanged"`
}

// ShopInfo is what Shopify says of the store.
type ShopInfo struct {
	// +kubebuilder:validation:MaxLength=256
	Name string `json:"name,omitempty"`
	// +kubebuilder:validation:MaxLength=8
	Currency string `json:"currency,omitempty"`
	// +kubebuilder:validation:MaxLength=64
	Plan string `json:"plan,omitempty"`
	// +kubebuilder:validation:MaxLength=64
	Timezone string `json:"timezone,omitempty"`
}

// OdooInfo is what the Odoo server says of itself.
type OdooInfo struct {
	// Version is the server version, e.g. 18.0.
	// +kubebuilder:validation:MaxLength=64
	Version string `json:"version,omitempty"`
	// Protocol in use.
	Protocol OdooProtocol `json:"protocol,omitempty"`
	// CompanyID of spec.odoo.company.
	CompanyID int64 `json:"companyID,omitempty"`
}

// RiskyReviewed counts the tagged risky quotations by what people made of
// them in Odoo.
type RiskyReviewed struct {
	Confirmed int64 `json:"confirmed,omitempty"`
	Cancelled int64 `json:"cancelled,omitempty"`
}

// Counters are the totals the connector's dashboard shows.
type Counters struct {
	OrdersImported   int64 `json:"ordersImported,omitempty"`
	Quotations       int64 `json:"quotations,omitempty"`
	RiskyQuotations  int64 `json:"riskyQuotations,omitempty"`
	SalesOrders      int64 `json:"salesOrders,omitempty"`
	Invoices         int64 `json:"invoices,omitempty"`
	Deliveries       int64 `json:"deliveries,omitempty"`
	ProductsExported int64 `json:"productsExported,omitempty"`
	// FailedLines are the lines of every queue that failed and were not
	// retried since.
	FailedLines       int64 `json:"failedLines,omitempty"`
	ProductsImported  int64 `json:"productsImported,omitempty"`
	CustomersImported int64 `json:"customersImported,omitempty"`
}

// ShopifyInstance is one Shopify store wired to one Odoo company.
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=shopify;si,categories=shopify-odoo
// +kubebuilder:printcolumn:name="Shop",type=string,JSONPath=`.spec.shopify.shop`
// +kubebuilder:printcolumn:name="Odoo",type=string,JSONPath=`.status.odoo.version`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Imported",type=integer,JSONPath=`.status.counters.ordersImported`
// +kubebuilder:printcolumn:name="Failed",type=integer,JSONPath=`.status.counters.failedLines`
// +kubebuilder:printcolumn:name="Status",type=string,priority=1,JSONPath=`.status.conditions[?(@.type=="Ready")].message`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type ShopifyInstance struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   ShopifyInstanceSpec   `json:"spec"`
	Status ShopifyInstanceStatus `json:"status,omitempty"`
}

// ShopifyInstanceList is a list of ShopifyInstances.
// +kubebuilder:object:root=true
type ShopifyInstanceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ShopifyInstance `json:"items"`
}

func init() {
	SchemeBuilder.Register(&ShopifyInstance{}, &ShopifyInstanceList{})
}
