package shopifysim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopify-odoo/connector/internal/decimal"
	"github.com/shopify-odoo/connector/test/catalog"
)

// Kinds are the order shapes the generator cycles through, so any store with
// at least len(Kinds) orders has one of each. Order i has Kinds[i%len(Kinds)].
var Kinds = []string{
	"multi-line", "line-discount", "order-discount", "taxes-included", "taxes-excluded-multi",
	"shipping-discount", "gift-card-purchase", "gift-card-payment", "free", "risk-cancel",
	"risk-investigate", "cancelled", "refunded", "partially-refunded", "partially-fulfilled",
	"fulfilled", "pos", "multi-currency", "unknown-sku", "custom-line", "test",
}

// epoch is when generated history starts; orders are 30 minutes apart.
var epoch = time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC)

type place struct{ country, code, city, zip, province, provinceCode, currency, street string }

var places = []place{
	{"France", "FR", "Lyon", "69002", "", "", "EUR", "12 rue de la République"},
	{"Germany", "DE", "Berlin", "10115", "", "", "EUR", "Invalidenstraße 44"},
	{"Spain", "ES", "Madrid", "28013", "Madrid", "M", "EUR", "Calle Mayor 5"},
	{"Italy", "IT", "Milano", "20121", "Milano", "MI", "EUR", "Via Dante 7"},
	{"Belgium", "BE", "Bruxelles", "1000", "", "", "EUR", "Rue Neuve 30"},
	{"United States", "US", "Austin", "78701", "Texas", "TX", "USD", "500 Congress Ave"},
	{"United Kingdom", "GB", "London", "EC1A 1BB", "England", "ENG", "GBP", "1 St Martin's Le Grand"},
	{"Switzerland", "CH", "Zürich", "8001", "Zürich", "ZH", "CHF", "Bahnhofstrasse 10"},
}

// rates are presentment currency units per shop currency unit.
var rates = map[string]decimal.Decimal{
	"EUR": decimal.FromInt(1), "USD": decimal.MustParse("1.0850"),
	"GBP": decimal.MustParse("0.8570"), "CHF": decimal.MustParse("0.9420"),
}

var firstNames = []string{"Camille", "Lukas", "Lucía", "Giulia", "Noah", "Emma", "Oliver", "Mia", "Léa", "Jonas"}
var lastNames = []string{"Martin", "Müller", "García", "Rossi", "Peeters", "Smith", "Brown", "Keller", "Dubois", "Schmidt"}

type tax struct {
	title string
	pct   decimal.Decimal // 20 for 20%
}

func catalogTax(i int) tax {
	return tax{catalog.Taxes[i].Name, decimal.MustParse(catalog.Taxes[i].Rate)}
}

func (st *Store) pick(n int) int { return st.rng.IntN(n) }

func money(d decimal.Decimal) string { return d.StringFixed(2) }

func bag(shop, pres decimal.Decimal, pcur string) Obj {
	return Obj{
		"shopMoney":        Obj{"amount": money(shop), "currencyCode": catalog.Currency},
		"presentmentMoney": Obj{"amount": money(pres), "currencyCode": pcur},
	}
}

// amount reads one side of a MoneyBag: 0 shop, 1 presentment.
func amount(b any, side int) decimal.Decimal {
	m := b.(Obj)[[]string{"shopMoney", "presentmentMoney"}[side]].(Obj)
	return decimal.MustParse(m["amount"].(string))
}

func number(d decimal.Decimal) json.Number {
	s := d.String()
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return json.Number(s)
}

// generate builds the shop, its locations, products, customers and n orders.
func (st *Store) generate(n int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.shop = Obj{
		"id": gid("Shop", 1), "name": "Northwool & Co (simulated)", "myshopifyDomain": st.sim.opts.Shop,
		"email": "shop@example.com", "currencyCode": catalog.Currency, "ianaTimezone": "Europe/Paris",
		"taxesIncluded": true, "enabledPresentmentCurrencies": []string{"EUR", "USD", "GBP", "CHF"},
		"plan": Obj{"publicDisplayName": "Advanced", "partnerDevelopment": false, "shopifyPlus": false},
	}
	for _, l := range []struct {
		name, city string
		online     bool
	}{{"Lyon Warehouse", "Lyon", true}, {"Paris Store", "Paris", false}} {
		st.locations = append(st.locations, st.add("Location", Obj{
			"name": l.name, "isActive": true, "fulfillsOnlineOrders": l.online,
			"address": Obj{"countryCode": "FR", "city": l.city},
		}))
	}
	st.addImportData()
	if st.sim.opts.EmptyCatalog {
		return
	}
	for _, p := range catalog.Products() {
		st.addProduct(p, false)
	}
	st.known = len(st.variants)
	// Products Odoo does not know, and a gift card, as long-lived shops have.
	// Two variants need an option of their own values: Shopify refuses
	// a second Default Title.
	st.addProduct(catalog.Product{Handle: "legacy-scarf", Title: "Legacy Silk Scarf", Vendor: "Old Stock", Type: "Accessories", Options: []string{"Colour"},
		Variants: []catalog.Variant{{SKU: "LEGACY-SCARF", Options: []string{"Ivory"}, Price: "45.00"}, {SKU: "LEGACY-SCARF-2", Options: []string{"Navy"}, Price: "49.00"}}}, false)
	st.addProduct(catalog.Product{Handle: "gift-card", Title: "Gift Card", Vendor: "Northwool & Co", Type: "Gift Cards",
		Variants: []catalog.Variant{{Price: "25.00"}, {Price: "50.00"}}}, true)
	for i := range 40 {
		pl := places[i%len(places)]
		first, last := firstNames[st.pick(len(firstNames))], lastNames[st.pick(len(lastNames))]
		st.customers = append(st.customers, st.add("Customer", Obj{
			"firstName": first, "lastName": last, "displayName": first + " " + last,
			"email": fmt.Sprintf("%s.%s.%d@example.com", strings.ToLower(first), strings.ToLower(last), i),
			"phone": fmt.Sprintf("+33 6 12 34 %02d %02d", i/100, i%100), "place": pl,
		}))
	}
	for i := range n {
		st.newOrder(i)
	}
}

func (st *Store) addProduct(p catalog.Product, giftCard bool) {
	prod := st.add("Product", Obj{
		"handle": p.Handle, "title": p.Title, "vendor": p.Vendor, "productType": p.Type,
		"descriptionHtml": p.Description, "status": "ACTIVE", "isGiftCard": giftCard, "tags": []string{}, "media": []Obj{},
	})
	prod["options"] = options(p.Options, p.Variants)
	var vs []Obj
	for _, v := range p.Variants {
		var sku any = v.SKU
		if v.SKU == "" {
			sku = nil
		}
		item := st.add("InventoryItem", Obj{"tracked": !giftCard, "sku": sku, "requiresShipping": !giftCard})
		variant := st.add("ProductVariant", Obj{
			"sku": sku, "barcode": v.Barcode, "price": v.Price, "title": strings.Join(v.Options, " / "),
			"product": prod, "inventoryItem": item, "taxable": !giftCard, "selectedOptions": selected(p.Options, v.Options),
		})
		if v.Barcode == "" {
			variant["barcode"] = nil
		}
		item["variant"] = variant
		if !giftCard {
			st.activate(item["id"].(string), st.locations[0]["id"].(string), 20+st.pick(80))
		}
		vs = append(vs, variant)
		st.variants = append(st.variants, variant)
	}
	prod["variants"] = vs
	st.products = append(st.products, prod)
}

func (st *Store) activate(itemID, locationID string, available int) Obj {
	key := itemID + "|" + locationID
	if l := st.levels[key]; l != nil {
		return l
	}
	l := st.add("InventoryLevel", Obj{"isActive": true, "location": st.nodes[locationID], "item": st.nodes[itemID],
		"q": map[string]int{"available": available, "on_hand": available, "committed": 0}})
	st.levels[key] = l
	return l
}

// line is a planned order line.
type line struct {
	variant  Obj // nil for a custom item
	title    string
	sku      any
	qty      int
	price    decimal.Decimal
	giftCard bool
	discPct  decimal.Decimal // line-level discount percentage
}

// plan is an order before its amounts are worked out.
type plan struct {
	lines     []line
	customer  Obj
	pl        place
	included  bool
	taxes     []tax
	pcur      string
	orderDisc Obj // discount application spread over all lines
	orderPct  decimal.Decimal
	orderAmt  decimal.Decimal // fixed amount, shop currency
	shipping  decimal.Decimal
	shipDisc  bool
	tip       decimal.Decimal // shop currency
}

func (st *Store) variantLine(v Obj, qty int) line {
	prod := v["product"].(Obj)
	return line{variant: v, title: prod["title"].(string), sku: v["sku"], qty: qty,
		price: decimal.MustParse(v["price"].(string)), giftCard: prod["isGiftCard"] == true}
}

// catalogVariant picks one of the variants Odoo also has.
func (st *Store) catalogVariant() Obj { return st.variants[st.pick(st.known)] }

func (st *Store) newOrder(i int) Obj {
	kind := Kinds[i%len(Kinds)]
	p := plan{customer: st.customers[st.pick(len(st.customers))]}
	p.pl = p.customer["place"].(place)
	for range 1 + st.pick(3) {
		p.lines = append(p.lines, st.variantLine(st.catalogVariant(), 1+st.pick(3)))
	}
	p.shipping = decimal.MustParse([]string{"4.90", "6.90", "9.90"}[st.pick(3)])
	switch kind {
	case "multi-line":
		for len(p.lines) < 5 {
			p.lines = append(p.lines, st.variantLine(st.catalogVariant(), 1+st.pick(2)))
		}
	case "line-discount":
		p.lines[0].discPct = decimal.FromInt(15)
	case "order-discount":
		p.orderAmt = decimal.FromInt(10)
		p.orderDisc = Obj{"__typename": "DiscountCodeApplication", "code": "TENOFF", "targetSelection": "ALL"}
	case "taxes-excluded-multi", "multi-currency":
		p.pl = places[5+st.pick(3)] // US, GB or CH
		if kind == "taxes-excluded-multi" {
			p.pl = places[5]
		}
		p.customer = st.customers[5]
	case "shipping-discount":
		p.shipDisc = true
	case "taxes-included":
		p.customer = st.customers[8*st.pick(5)+st.pick(5)] // in the euro area
		p.pl = p.customer["place"].(place)
	case "partially-fulfilled":
		p.lines = append(p.lines, st.variantLine(st.catalogVariant(), 1))
	case "gift-card-purchase":
		p.lines = []line{st.variantLine(st.variants[len(st.variants)-1-st.pick(2)], 1)}
	case "free":
		p.orderPct, p.shipDisc = decimal.FromInt(100), true
		p.orderDisc = Obj{"__typename": "ManualDiscountApplication", "title": "Influencer seeding", "targetSelection": "ALL"}
	case "unknown-sku":
		p.lines = append(p.lines, st.variantLine(st.variants[st.known+st.pick(2)], 1))
	case "custom-line":
		p.lines = append(p.lines, line{title: "Gift wrapping", qty: 1, price: decimal.MustParse("3.50")})
	case "pos":
		p.customer, p.pl, p.shipping, p.tip = nil, places[0], decimal.Zero, decimal.MustParse("2.00")
	}
	p.pcur = p.pl.currency
	switch p.pl.code {
	case "US":
		p.taxes = []tax{catalogTax(4), catalogTax(5)}
	case "CH":
		p.taxes = []tax{catalogTax(3)}
	default:
		p.included = true
		p.taxes = []tax{catalogTax(0)}
		if kind == "line-discount" || (kind == "order-discount" && i%2 == 0) {
			p.included, p.taxes = false, []tax{catalogTax(2), catalogTax(3)} // excluded, two rates
		}
	}
	at := epoch.Add(time.Duration(i) * 30 * time.Minute).Format(time.RFC3339)
	o := st.build(p, at, kind)
	st.at = epoch.Add(time.Duration(i)*30*time.Minute + 26*time.Hour).Format(time.RFC3339)
	defer func() { st.at = "" }()
	switch kind {
	case "cancelled":
		st.cancel(o, "CUSTOMER", true)
	case "refunded":
		st.fulfillAll(o)
		st.refundLines(o, true)
	case "partially-refunded":
		st.fulfillAll(o)
		st.refundLines(o, false)
	case "partially-fulfilled":
		fo := o["fulfillmentOrders"].([]Obj)[0]
		fl := fo["lineItems"].([]Obj)[0]
		st.fulfill(o, []Obj{fo}, map[string]int{fl["id"].(string): fl["remainingQuantity"].(int)}, nil)
	case "fulfilled", "pos":
		st.fulfillAll(o)
	}
	if kind != "partially-fulfilled" && kind != "fulfilled" && kind != "pos" && kind != "cancelled" && kind != "refunded" && kind != "partially-refunded" && i%3 == 0 {
		st.fulfillAll(o) // a third of the rest has shipped too
	}
	return o
}

func (st *Store) fulfillAll(o Obj) {
	st.fulfill(o, o["fulfillmentOrders"].([]Obj), nil, Obj{"company": "Colissimo", "number": fmt.Sprintf("6A%011d", st.id()), "url": nil})
}

// amounts are an order's figures in one currency, worked out as Shopify does.
type amounts struct {
	unit, lineDisc, orderAlloc []decimal.Decimal
	lineTax                    [][]decimal.Decimal
	shipping, shipDisc, tip    decimal.Decimal
	shipTax                    []decimal.Decimal
	subtotal, discounts, tax   decimal.Decimal
	total                      decimal.Decimal
}

// compute works out one currency: unit prices and fixed amounts are already
// in it. Tax is taken on each line after its discounts; included tax is
// extracted from the price, excluded tax is added on top.
func compute(p plan, rate decimal.Decimal) amounts {
	conv := func(d decimal.Decimal) decimal.Decimal { return d.Mul(rate).Round(2) }
	a := amounts{shipping: conv(p.shipping), tip: conv(p.tip)}
	base := make([]decimal.Decimal, len(p.lines))
	sum := decimal.Zero
	for i, l := range p.lines {
		u := conv(l.price)
		a.unit = append(a.unit, u)
		orig := u.MulInt(int64(l.qty))
		d := orig.Mul(l.discPct).Div(decimal.FromInt(100), 2)
		a.lineDisc = append(a.lineDisc, d)
		base[i] = orig.Sub(d)
		sum = sum.Add(base[i])
	}
	orderDisc := sum.Mul(p.orderPct).Div(decimal.FromInt(100), 2)
	if !p.orderAmt.IsZero() {
		orderDisc = conv(p.orderAmt)
	}
	orderDisc = minDec(orderDisc, sum)
	left := orderDisc
	for i := range p.lines {
		share := decimal.Zero
		if !sum.IsZero() {
			share = orderDisc.Mul(base[i]).Div(sum, 2)
		}
		if i == len(p.lines)-1 {
			share = left
		}
		left = left.Sub(share)
		a.orderAlloc = append(a.orderAlloc, share)
	}
	taxOn := func(net decimal.Decimal) []decimal.Decimal {
		var out []decimal.Decimal
		for _, t := range p.taxes {
			if p.included {
				out = append(out, net.Mul(t.pct).Div(t.pct.Add(decimal.FromInt(100)), 2))
			} else {
				out = append(out, net.Mul(t.pct).Div(decimal.FromInt(100), 2))
			}
		}
		return out
	}
	a.subtotal, a.tax = decimal.Zero, decimal.Zero
	for i, l := range p.lines {
		net := base[i].Sub(a.orderAlloc[i])
		a.subtotal = a.subtotal.Add(net)
		var lt []decimal.Decimal
		if !l.giftCard {
			lt = taxOn(net)
		}
		a.lineTax = append(a.lineTax, lt)
		a.tax = a.tax.Add(sumDec(lt))
	}
	a.shipDisc = decimal.Zero
	if p.shipDisc {
		a.shipDisc = a.shipping
	}
	a.shipTax = taxOn(a.shipping.Sub(a.shipDisc))
	a.tax = a.tax.Add(sumDec(a.shipTax))
	a.discounts = sumDec(a.lineDisc).Add(orderDisc).Add(a.shipDisc)
	a.total = a.subtotal.Add(a.shipping).Sub(a.shipDisc).Add(a.tip) // tips are untaxed
	if !p.included {
		a.total = a.total.Add(a.tax)
	}
	return a
}

func sumDec(ds []decimal.Decimal) decimal.Decimal {
	s := decimal.Zero
	for _, d := range ds {
		s = s.Add(d)
	}
	return s
}

func minDec(a, b decimal.Decimal) decimal.Decimal {
	if a.Cmp(b) < 0 {
		return a
	}
	return b
}

// build turns a plan into a stored, paid, unfulfilled order.
func (st *Store) build(p plan, at, kind string) Obj {
	s, r := compute(p, decimal.FromInt(1)), compute(p, rates[p.pcur])
	b := func(x, y decimal.Decimal) Obj { return bag(x, y, p.pcur) }
	taxLines := func(xs, ys []decimal.Decimal) []Obj {
		var out []Obj
		for i, t := range p.taxes {
			if i < len(xs) {
				out = append(out, Obj{"title": t.title, "rate": number(t.pct.Div(decimal.FromInt(100), 6)),
					"ratePercentage": number(t.pct), "priceSet": b(xs[i], ys[i]), "channelLiable": false})
			}
		}
		return out
	}
	var apps []Obj
	app := func(o Obj, target string, pct, amt decimal.Decimal) Obj {
		o["index"], o["allocationMethod"], o["targetType"] = len(apps), "ACROSS", target
		if o["targetSelection"] == nil {
			o["targetSelection"] = "ENTITLED"
		}
		if amt.IsZero() {
			o["value"] = Obj{"__typename": "PricingPercentageValue", "percentage": number(pct)}
		} else {
			o["value"] = Obj{"__typename": "MoneyV2", "amount": money(amt), "currencyCode": catalog.Currency}
		}
		apps = append(apps, o)
		return o
	}
	var orderApp, shipApp Obj
	if p.orderDisc != nil {
		orderApp = app(p.orderDisc, "LINE_ITEM", p.orderPct, p.orderAmt)
	}
	if p.shipDisc {
		shipApp = app(Obj{"__typename": "DiscountCodeApplication", "code": "FREESHIP", "targetSelection": "ALL"}, "SHIPPING_LINE", decimal.FromInt(100), decimal.Zero)
	}
	alloc := func(a Obj, x, y decimal.Decimal) Obj {
		return Obj{"allocatedAmountSet": b(x, y), "discountApplication": a}
	}
	var lines []Obj
	for i, l := range p.lines {
		var allocs []Obj
		if !l.discPct.IsZero() {
			la := app(Obj{"__typename": "AutomaticDiscountApplication", "title": "Winter sale"}, "LINE_ITEM", l.discPct, decimal.Zero)
			allocs = append(allocs, alloc(la, s.lineDisc[i], r.lineDisc[i]))
		}
		if orderApp != nil && !s.orderAlloc[i].IsZero() {
			allocs = append(allocs, alloc(orderApp, s.orderAlloc[i], r.orderAlloc[i]))
		}
		q := int64(l.qty)
		unitAfter := func(a amounts) decimal.Decimal {
			return a.unit[i].MulInt(q).Sub(a.lineDisc[i]).Div(decimal.FromInt(q), 2)
		}
		li := st.add("LineItem", Obj{
			"title": l.title, "name": l.title, "sku": l.sku, "quantity": l.qty, "currentQuantity": l.qty,
			"isGiftCard": l.giftCard, "requiresShipping": !l.giftCard, "taxable": !l.giftCard, "vendor": nil,
			"variant": l.variant, "variantTitle": nil, "product": nil,
			"originalUnitPriceSet":   b(s.unit[i], r.unit[i]),
			"discountedUnitPriceSet": b(unitAfter(s), unitAfter(r)),
			"originalTotalSet":       b(s.unit[i].MulInt(q), r.unit[i].MulInt(q)),
			"totalDiscountSet":       b(s.lineDisc[i].Add(s.orderAlloc[i]), r.lineDisc[i].Add(r.orderAlloc[i])),
			"discountAllocations":    allocs,
			"taxLines":               taxLines(s.lineTax[i], r.lineTax[i]),
		})
		if l.variant != nil {
			prod := l.variant["product"].(Obj)
			li["product"], li["vendor"] = prod, prod["vendor"]
			if t := l.variant["title"].(string); t != "" {
				li["variantTitle"], li["name"] = t, l.title+" - "+t
			}
		}
		lines = append(lines, li)
	}
	o := st.add("Order", Obj{
		"name": fmt.Sprintf("#%d", st.number), "note": nil, "tags": []string{}, "test": kind == "test",
		"createdAt": at, "processedAt": at, "updatedAt": at, "cancelledAt": nil, "closedAt": nil, "cancelReason": nil,
		"sourceName": "web", "sourceIdentifier": nil, "retailLocation": nil, "currencyCode": catalog.Currency, "presentmentCurrencyCode": p.pcur,
		"taxesIncluded": p.included, "displayFinancialStatus": "PAID", "displayFulfillmentStatus": "UNFULFILLED",
		"email": nil, "phone": nil, "customer": p.customer, "billingAddress": nil, "shippingAddress": nil,
		"subtotalPriceSet": b(s.subtotal, r.subtotal), "totalDiscountsSet": b(s.discounts, r.discounts),
		"totalShippingPriceSet": b(s.shipping.Sub(s.shipDisc), r.shipping.Sub(r.shipDisc)),
		"totalTaxSet":           b(s.tax, r.tax), "totalPriceSet": b(s.total, r.total), "totalTipReceivedSet": b(s.tip, r.tip),
		"totalRefundedSet": b(decimal.Zero, decimal.Zero), "lineItems": lines, "discountApplications": apps,
		"risk":    Obj{"recommendation": "ACCEPT", "assessments": []Obj{{"riskLevel": "LOW", "provider": nil, "facts": []Obj{}}}},
		"refunds": []Obj{}, "fulfillments": []Obj{}, "shippingLines": []Obj{},
	})
	st.number++
	st.orders = append(st.orders, o)
	// Order-level tax lines sum the line and shipping taxes per rate.
	tx, ty := make([]decimal.Decimal, len(p.taxes)), make([]decimal.Decimal, len(p.taxes))
	for j := range p.taxes {
		tx[j], ty[j] = decimal.Zero, decimal.Zero
		for i := range p.lines {
			if len(s.lineTax[i]) > j {
				tx[j], ty[j] = tx[j].Add(s.lineTax[i][j]), ty[j].Add(r.lineTax[i][j])
			}
		}
		tx[j], ty[j] = tx[j].Add(s.shipTax[j]), ty[j].Add(r.shipTax[j])
	}
	o["taxLines"] = taxLines(tx, ty)
	if p.customer != nil {
		c := p.customer
		addr := Obj{
			"name": c["displayName"], "firstName": c["firstName"], "lastName": c["lastName"], "company": nil,
			"address1": p.pl.street, "address2": nil, "city": p.pl.city, "zip": p.pl.zip, "province": nilIfEmpty(p.pl.province),
			"provinceCode": nilIfEmpty(p.pl.provinceCode), "country": p.pl.country, "countryCodeV2": p.pl.code, "phone": c["phone"],
		}
		o["email"], o["phone"], o["billingAddress"], o["shippingAddress"] = c["email"], c["phone"], addr, addr
		var shipAllocs []Obj
		if shipApp != nil {
			shipAllocs = []Obj{alloc(shipApp, s.shipDisc, r.shipDisc)}
		}
		o["shippingLines"] = []Obj{st.add("ShippingLine", Obj{
			"title": "Standard", "code": "STANDARD", "source": "shopify", "carrierIdentifier": nil, "custom": false, "isRemoved": false,
			"originalPriceSet": b(s.shipping, r.shipping), "discountedPriceSet": b(s.shipping.Sub(s.shipDisc), r.shipping.Sub(r.shipDisc)),
			"discountAllocations": shipAllocs, "taxLines": taxLines(s.shipTax, r.shipTax),
		})}
	} else {
		// sold at the till of the store: the schema's retailLocation, and a
		// receipt identifier shaped as its example "1234-12-1000"
		store := st.locations[1]
		o["sourceName"], o["retailLocation"] = "pos", store
		o["sourceIdentifier"] = fmt.Sprintf("%s-1-%s", strings.TrimPrefix(store["id"].(string), "gid://shopify/Location/"), strings.TrimPrefix(o["name"].(string), "#"))
	}
	st.pay(o, kind, s.total, r.total, p.pcur)
	st.assignFulfillment(o, kind == "pos")
	switch kind {
	case "risk-cancel":
		o["risk"] = Obj{"recommendation": "CANCEL", "assessments": []Obj{{"riskLevel": "HIGH", "provider": nil,
			"facts": []Obj{{"description": "Card verification failed", "sentiment": "NEGATIVE"}}}}}
	case "risk-investigate":
		o["risk"] = Obj{"recommendation": "INVESTIGATE", "assessments": []Obj{{"riskLevel": "MEDIUM", "provider": nil,
			"facts": []Obj{{"description": "Billing and shipping countries differ", "sentiment": "NEGATIVE"}}}}}
	}
	return o
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// pay records how the buyer paid: a card sale, cash at the till, a test
// gateway, a gift card covering part, or an authorisation for risky orders.
func (st *Store) pay(o Obj, kind string, shop, pres decimal.Decimal, pcur string) {
	gateway, txKind, test := "shopify_payments", "SALE", kind == "test"
	switch kind {
	case "pos":
		gateway = "cash"
	case "test":
		gateway = "bogus"
	case "risk-cancel":
		txKind = "AUTHORIZATION"
		o["displayFinancialStatus"] = "AUTHORIZED"
	}
	var txs []Obj
	add := func(g string, x, y decimal.Decimal) {
		txs = append(txs, st.add("OrderTransaction", Obj{"gateway": g, "kind": txKind, "status": "SUCCESS", "test": test,
			"processedAt": o["processedAt"], "amountSet": bag(x, y, pcur), "parentTransaction": nil}))
	}
	if kind == "gift-card-payment" {
		gx := minDec(decimal.FromInt(25), shop)
		gy := minDec(gx.Mul(rates[pcur]).Round(2), pres)
		add("gift_card", gx, gy)
		shop, pres = shop.Sub(gx), pres.Sub(gy)
	}
	if shop.Sign() > 0 {
		add(gateway, shop, pres)
	}
	o["transactions"] = txs
}

// assignFulfillment creates the fulfillment order for the lines that ship.
func (st *Store) assignFulfillment(o Obj, pos bool) {
	loc := st.locations[0]
	if pos {
		loc = st.locations[1]
	}
	var items []Obj
	for _, li := range o["lineItems"].([]Obj) {
		if li["requiresShipping"] == true {
			items = append(items, st.add("FulfillmentOrderLineItem", Obj{"totalQuantity": li["quantity"],
				"remainingQuantity": li["quantity"], "lineItem": li, "sku": li["sku"]}))
		}
	}
	if len(items) == 0 {
		o["fulfillmentOrders"], o["displayFulfillmentStatus"] = []Obj{}, "FULFILLED"
		return
	}
	fo := st.add("FulfillmentOrder", Obj{"status": "OPEN", "requestStatus": "UNSUBMITTED", "order": o, "lineItems": items,
		"fulfillmentHolds": []Obj{}, "assignedLocation": Obj{"name": loc["name"], "location": loc}})
	o["fulfillmentOrders"] = []Obj{fo}
}
