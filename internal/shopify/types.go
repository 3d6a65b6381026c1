package shopify

import (
	"encoding/json"
	"time"

	"github.com/shopify-odoo/connector/internal/decimal"
)

// Money is an amount in one currency.
type Money struct {
	Amount       decimal.Decimal `json:"amount"`
	CurrencyCode string          `json:"currencyCode"`
}

// MoneyBag is an amount in the shop currency and in the currency the buyer saw.
type MoneyBag struct {
	Shop        Money `json:"shopMoney"`
	Presentment Money `json:"presentmentMoney"`
}

// PageInfo is a connection's position.
type PageInfo struct {
	HasNextPage bool   `json:"hasNextPage"`
	EndCursor   string `json:"endCursor"`
}

// Conn is a connection; it decodes both edges { node } and nodes shapes.
type Conn[T any] struct {
	Nodes    []T
	PageInfo PageInfo
}

func (c *Conn[T]) UnmarshalJSON(b []byte) error {
	var w struct {
		Edges    []struct{ Node T } `json:"edges"`
		Nodes    []T                `json:"nodes"`
		PageInfo PageInfo           `json:"pageInfo"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	c.Nodes, c.PageInfo = w.Nodes, w.PageInfo
	for _, e := range w.Edges {
		c.Nodes = append(c.Nodes, e.Node)
	}
	return nil
}

// Ref is an object reached through a link, of which only the ID was asked.
type Ref struct {
	ID string `json:"id"`
}

// Address is a MailingAddress.
type Address struct {
	Name         string `json:"name"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	Company      string `json:"company"`
	Address1     string `json:"address1"`
	Address2     string `json:"address2"`
	City         string `json:"city"`
	Zip          string `json:"zip"`
	Province     string `json:"province"`
	ProvinceCode string `json:"provinceCode"`
	Country      string `json:"country"`
	CountryCode  string `json:"countryCodeV2"`
	Phone        string `json:"phone"`
}

// Customer is the buyer, absent on anonymous point-of-sale orders.
type Customer struct {
	ID                  string `json:"id"`
	LegacyResourceID    string `json:"legacyResourceId"`
	FirstName           string `json:"firstName"`
	LastName            string `json:"lastName"`
	DisplayName         string `json:"displayName"`
	DefaultEmailAddress *struct {
		EmailAddress   string `json:"emailAddress"`
		MarketingState string `json:"marketingState"`
	} `json:"defaultEmailAddress"`
	DefaultPhoneNumber *struct {
		PhoneNumber string `json:"phoneNumber"`
	} `json:"defaultPhoneNumber"`
}

// Email is the customer's default email address, empty without one.
// Customer.email is deprecated from 2026-10.
func (c *Customer) Email() string {
	if c.DefaultEmailAddress == nil {
		return ""
	}
	return c.DefaultEmailAddress.EmailAddress
}

// Phone is the customer's default phone number, empty without one.
func (c *Customer) Phone() string {
	if c.DefaultPhoneNumber == nil {
		return ""
	}
	return c.DefaultPhoneNumber.PhoneNumber
}

// TaxLine is one tax charged on a line, a shipping line or the order.
type TaxLine struct {
	Title          string          `json:"title"`
	Rate           decimal.Decimal `json:"rate"` // fraction, 0.2 for 20%
	RatePercentage decimal.Decimal `json:"ratePercentage"`
	Price          MoneyBag        `json:"priceSet"`
}

// DiscountAllocation is the part of a discount application taken from a line.
type DiscountAllocation struct {
	Amount      MoneyBag `json:"allocatedAmountSet"`
	Application struct {
		Index int `json:"index"`
	} `json:"discountApplication"`
}

// Variant is a product variant as referenced from a line or found by SKU.
type Variant struct {
	ID               string          `json:"id"`
	LegacyResourceID string          `json:"legacyResourceId"`
	SKU              string          `json:"sku"`
	Barcode          string          `json:"barcode"`
	Title            string          `json:"title"`
	Price            decimal.Decimal `json:"price"`
	Product          *struct {
		ID     string `json:"id"`
		Handle string `json:"handle"`
		Title  string `json:"title"`
	} `json:"product"`
	InventoryItem *struct {
		ID      string `json:"id"`
		Tracked bool   `json:"tracked"`
	} `json:"inventoryItem"`
}

// LineItem is one order line. Variant is nil for custom items.
type LineItem struct {
	ID                  string               `json:"id"`
	Name                string               `json:"name"`
	Title               string               `json:"title"`
	VariantTitle        string               `json:"variantTitle"`
	SKU                 string               `json:"sku"`
	Quantity            int                  `json:"quantity"`
	CurrentQuantity     int                  `json:"currentQuantity"` // after refunds and removals
	IsGiftCard          bool                 `json:"isGiftCard"`
	RequiresShipping    bool                 `json:"requiresShipping"`
	Taxable             bool                 `json:"taxable"`
	Vendor              string               `json:"vendor"`
	Variant             *Variant             `json:"variant"`
	OriginalUnitPrice   MoneyBag             `json:"originalUnitPriceSet"`
	DiscountedUnitPrice MoneyBag             `json:"discountedUnitPriceSet"`
	DiscountAllocations []DiscountAllocation `json:"discountAllocations"`
	TaxLines            []TaxLine            `json:"taxLines"`
}

// ShippingLine is a delivery charge.
type ShippingLine struct {
	ID                  string               `json:"id"`
	Title               string               `json:"title"`
	Code                string               `json:"code"`
	Source              string               `json:"source"`
	CarrierIdentifier   string               `json:"carrierIdentifier"`
	OriginalPrice       MoneyBag             `json:"originalPriceSet"`
	DiscountedPrice     MoneyBag             `json:"discountedPriceSet"`
	DiscountAllocations []DiscountAllocation `json:"discountAllocations"`
	TaxLines            []TaxLine            `json:"taxLines"`
}

// DiscountApplication is a discount as applied to the order; allocations
// point at it by Index.
type DiscountApplication struct {
	Type             string `json:"__typename"` // DiscountCodeApplication, ManualDiscountApplication...
	Index            int    `json:"index"`
	AllocationMethod string `json:"allocationMethod"` // ACROSS, EACH
	TargetSelection  string `json:"targetSelection"`  // ALL, ENTITLED, EXPLICIT
	TargetType       string `json:"targetType"`       // LINE_ITEM, SHIPPING_LINE
	Code             string `json:"code"`
	Title            string `json:"title"`
	Value            struct {
		Amount       *decimal.Decimal `json:"amount"` // fixed amount, or
		CurrencyCode string           `json:"currencyCode"`
		Percentage   *decimal.Decimal `json:"percentage"` // percentage
	} `json:"value"`
}

// Transaction is a payment, capture, refund or void.
type Transaction struct {
	ID          string    `json:"id"`
	Gateway     string    `json:"gateway"`
	Kind        string    `json:"kind"`   // SALE, AUTHORIZATION, CAPTURE, REFUND, VOID
	Status      string    `json:"status"` // SUCCESS, PENDING, FAILURE, ERROR
	Test        bool      `json:"test"`
	ProcessedAt time.Time `json:"processedAt"`
	Amount      MoneyBag  `json:"amountSet"`
	Parent      *Ref      `json:"parentTransaction"`
}

// FulfillmentOrderLine is a line of a fulfillment order.
type FulfillmentOrderLine struct {
	ID                string `json:"id"`
	TotalQuantity     int    `json:"totalQuantity"`
	RemainingQuantity int    `json:"remainingQuantity"`
	LineItem          struct {
		ID  string `json:"id"`
		SKU string `json:"sku"`
	} `json:"lineItem"`
}

// FulfillmentOrder is the work a location has to ship for an order.
type FulfillmentOrder struct {
	ID     string `json:"id"`
	Status string `json:"status"` // OPEN, IN_PROGRESS, ON_HOLD, SCHEDULED, INCOMPLETE, CLOSED, CANCELLED
	// FulfillAt is when a SCHEDULED one opens.
	FulfillAt *time.Time `json:"fulfillAt"`
	Holds     []struct {
		Reason      string `json:"reason"` // e.g. AWAITING_PAYMENT
		ReasonNotes string `json:"reasonNotes"`
	} `json:"fulfillmentHolds"`
	AssignedLocation struct {
		Name     string `json:"name"`
		Location *Ref   `json:"location"`
	} `json:"assignedLocation"`
	LineItems Conn[FulfillmentOrderLine] `json:"lineItems"`
}

// RiskAssessment is one provider's verdict.
type RiskAssessment struct {
	RiskLevel string `json:"riskLevel"` // LOW, MEDIUM, HIGH, NONE, PENDING
}

// Order is everything the connector reads from a Shopify order.
type Order struct {
	ID                       string     `json:"id"`
	LegacyResourceID         string     `json:"legacyResourceId"`
	Name                     string     `json:"name"`
	Email                    string     `json:"email"`
	Phone                    string     `json:"phone"`
	Note                     string     `json:"note"`
	Tags                     []string   `json:"tags"`
	Test                     bool       `json:"test"`
	CreatedAt                time.Time  `json:"createdAt"`
	ProcessedAt              time.Time  `json:"processedAt"`
	UpdatedAt                time.Time  `json:"updatedAt"`
	CancelledAt              *time.Time `json:"cancelledAt"`
	ClosedAt                 *time.Time `json:"closedAt"`
	CancelReason             string     `json:"cancelReason"`
	SourceName               string     `json:"sourceName"` // "web", "pos", ...
	SourceIdentifier         string     `json:"sourceIdentifier"`
	CurrencyCode             string     `json:"currencyCode"`
	PresentmentCurrencyCode  string     `json:"presentmentCurrencyCode"`
	TaxesIncluded            bool       `json:"taxesIncluded"`
	DisplayFinancialStatus   string     `json:"displayFinancialStatus"`
	DisplayFulfillmentStatus string     `json:"displayFulfillmentStatus"`
	Risk                     struct {
		Recommendation string           `json:"recommendation"` // ACCEPT, INVESTIGATE, CANCEL, NONE
		Assessments    []RiskAssessment `json:"assessments"`
	} `json:"risk"`
	Customer             *Customer                 `json:"customer"`
	BillingAddress       *Address                  `json:"billingAddress"`
	ShippingAddress      *Address                  `json:"shippingAddress"`
	SubtotalPrice        MoneyBag                  `json:"subtotalPriceSet"`
	TotalDiscounts       MoneyBag                  `json:"totalDiscountsSet"`
	TotalShippingPrice   MoneyBag                  `json:"totalShippingPriceSet"`
	TotalTax             MoneyBag                  `json:"totalTaxSet"`
	TotalPrice           MoneyBag                  `json:"totalPriceSet"`
	TotalRefunded        MoneyBag                  `json:"totalRefundedSet"`
	TotalTipReceived     MoneyBag                  `json:"totalTipReceivedSet"`
	TaxLines             []TaxLine                 `json:"taxLines"`
	Transactions         []Transaction             `json:"transactions"`
	LineItems            Conn[LineItem]            `json:"lineItems"`
	ShippingLines        Conn[ShippingLine]        `json:"shippingLines"`
	DiscountApplications Conn[DiscountApplication] `json:"discountApplications"`
}

// OrderRef is the cheap summary the scheduler polls with.
type OrderRef struct {
	ID                       string     `json:"id"`
	LegacyResourceID         string     `json:"legacyResourceId"`
	Name                     string     `json:"name"`
	UpdatedAt                time.Time  `json:"updatedAt"`
	DisplayFulfillmentStatus string     `json:"displayFulfillmentStatus"`
	CancelledAt              *time.Time `json:"cancelledAt"`
}
