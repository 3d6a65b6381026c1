package odoosim

import (
	"slices"
	"strconv"
	"strings"
)

// moduleTable lists the modules a fresh database made with
// `odoo -i sale_management,stock,account` (no country, so no localisation)
// has installed, by version, as their manifests' depends and auto_install
// make them, and the optional modules the simulator knows ("none"). Fields:
// name, versions, then sequence and application when not 100 and false,
// then the manifest's name (ir.module.module's shortdesc).
const moduleTable = `
account 17- seq=10 app | Invoicing
account_add_gln 19 | Add Partner GLN
account_edi_ubl_cii 17- | Import/Export electronic invoices with UBL/CII
account_payment 17- | Payment - Account
account_payment_term 17 | Payment Term - Days end of month on the
analytic 17- | Analytic Accounting
api_doc 19 | API Documentation
auth_passkey 19 | Passkeys
auth_passkey_portal 19 | Passkeys Portal
auth_signup 17- | Signup
auth_totp 17- | Two-Factor Authentication (TOTP)
auth_totp_mail 17- | 2FA Invite mail
auth_totp_portal 17- | TOTPortal
barcodes 17- | Barcode
barcodes_gs1_nomenclature 17- | Barcode - GS1 Nomenclature
base 17- | Base
base_import 17- | Base import
base_import_module 17- | Base import module
base_install_request 17- | Base - Module Install Request
base_setup 17- | Initial Setup Tools
bus 17- | IM Bus
delivery none | Delivery Costs
digest 17- | KPI Digests
google_gmail 17- | Google Gmail
html_editor 18- | HTML Editor
http_routing 17- seq=9100 | Web Routing
iap 17- | In-App Purchases
iap_mail 17- | IAP / Mail
mail 17- seq=145 app | Discuss
mail_bot 17- | OdooBot
microsoft_outlook 19 | Microsoft Outlook
onboarding 17- seq=9001 | Onboarding Toolbox
partner_autocomplete 17- | Partner Autocomplete
payment 17- | Payment Engine
payment_custom none seq=350 | Payment Provider: Custom Payment Modes
phone_validation 17- seq=9999 | Phone Numbers Validation
portal 17- seq=9000 | Customer Portal
privacy_lookup 17- | Privacy
product 17- | Products & Pricelists
resource 17- | Resource
resource_mail 18- | Resource Mail
rpc 19 | RPC endpoints
sale 17- | Sales
sale_async_emails -18 | Sales - Async Emails
sale_edi_ubl 18- | Import electronic orders with UBL
sale_management 17- seq=5 app | Sales
sale_pdf_quote_builder 17- | Sales PDF Quotation Builder
sale_product_configurator 17 | Sale Product Configurator
sale_sms 17- | Sale - SMS
sale_stock 17- | Sales and Warehouse Management
sales_team 17- | Sales Teams
sms 17- | SMS gateway
snailmail 17- | Snail Mail
snailmail_account 17- | Snail Mail - Account
spreadsheet 17- | Spreadsheet
spreadsheet_account 17- | Spreadsheet Accounting Formulas
spreadsheet_dashboard 17- | Spreadsheet dashboard
spreadsheet_dashboard_account 17- | Spreadsheet dashboard for accounting
spreadsheet_dashboard_sale 17- | Spreadsheet dashboard for sales
spreadsheet_dashboard_stock_account 17- | Spreadsheet dashboard for stock
stock 17- seq=25 app | Inventory
stock_account 17- seq=16 | WMS Accounting
stock_delivery none | Delivery - Stock
stock_sms 17- | Stock - SMS
uom 17- | Units of measure
utm 17- | UTM Trackers
web 17- | Web
web_editor -18 | Web Editor
web_tour 17- | Tours
web_unsplash 17- | Unsplash Image Library
`

type moduleInfo struct {
	name, versions, shortdesc string
	sequence                  int64
	application               bool
}

func moduleInfos() []moduleInfo {
	var out []moduleInfo
	for _, line := range strings.Split(strings.TrimSpace(moduleTable), "\n") {
		head, desc, _ := strings.Cut(line, " | ")
		f := strings.Fields(head)
		mi := moduleInfo{name: f[0], versions: f[1], shortdesc: desc, sequence: 100}
		for _, x := range f[2:] {
			if s, ok := strings.CutPrefix(x, "seq="); ok {
				mi.sequence, _ = strconv.ParseInt(s, 10, 64)
			}
			mi.application = mi.application || x == "app"
		}
		out = append(out, mi)
	}
	return out
}

// DefaultModules are the modules a fresh database made with
// `-i sale_management,stock,account` has on this version; Options.Modules
// changes them.
func DefaultModules(version int) []string {
	var out []string
	for _, mi := range moduleInfos() {
		if mi.versions != "none" && versionMatch(mi.versions, version) {
			out = append(out, mi.name)
		}
	}
	return out
}

// installedModules applies Options.Modules to the default set. Installing
// delivery installs payment_custom on 19, which it depends on there, and
// stock_delivery, auto_install with sale_stock and delivery, unless the test
// says otherwise.
func installedModules(version int, change map[string]bool) map[string]bool {
	set := map[string]bool{}
	for _, m := range DefaultModules(version) {
		set[m] = true
	}
	for m, on := range change {
		set[m] = on
	}
	if set["stock_delivery"] {
		set["delivery"] = true // which it depends on
	}
	if set["delivery"] {
		if _, said := change["stock_delivery"]; !said {
			set["stock_delivery"] = true
		}
		if version >= 19 {
			set["payment_custom"] = true
		}
	}
	return set
}

// modelModule names the module defining a model the default set may lack;
// modelVersions the versions having a model, when not all.
var (
	modelModule   = map[string]string{"delivery.carrier": "delivery", "confirm.stock.sms": "stock_sms"}
	modelVersions = map[string]string{"sale.order.cancel": "-18"}
)

func (t *tx) installed(module string) bool { return t.db.modules[module] }

// seedModules lists the modules in ir.module.module: the installed ones and
// those the simulator knows the database could install. A real database
// lists every module of its addons path; clients filter on state.
func seedModules(s seeder) {
	names := map[string]bool{}
	for _, mi := range moduleInfos() {
		names[mi.name] = true
		if mi.versions != "none" && !versionMatch(mi.versions, s.t.db.version) && !s.t.installed(mi.name) {
			continue // not on this version
		}
		state := "uninstalled"
		if s.t.installed(mi.name) {
			state = "installed"
		}
		s.add("ir.module.module", map[string]any{"name": mi.name, "shortdesc": mi.shortdesc, "state": state,
			"sequence": mi.sequence, "application": mi.application})
	}
	var extra []string
	for m, on := range s.t.db.modules {
		if on && !names[m] {
			extra = append(extra, m)
		}
	}
	slices.Sort(extra)
	for _, m := range extra {
		// the simulator knows no manifest name for it
		s.add("ir.module.module", map[string]any{"name": m, "shortdesc": m, "state": "installed", "sequence": int64(100)})
	}
}
