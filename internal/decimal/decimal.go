// Package decimal is an exact base-10 number for money amounts, tax rates and
// quantities that APIs send as strings. Values never pass through float64.
package decimal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
)

// Decimal is unscaled × 10^-scale. The zero value is 0. Values are immutable.
type Decimal struct {
	unscaled *big.Int // nil means 0
	scale    int32
}

// Zero is 0.
var Zero Decimal

var ten = big.NewInt(10)

// New returns unscaled × 10^-scale, e.g. New(1999, 2) is 19.99.
func New(unscaled int64, scale int32) Decimal {
	return Decimal{unscaled: big.NewInt(unscaled), scale: scale}
}

// FromInt returns n.
func FromInt(n int64) Decimal { return New(n, 0) }

var syntax = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,4})?$`)

// Parse reads a plain decimal like "-12.50", "3", "0.055" or "1e3".
func Parse(s string) (Decimal, error) {
	str := strings.TrimSpace(s)
	if !syntax.MatchString(str) {
		return Zero, fmt.Errorf("decimal: invalid number %q", s)
	}
	exp := 0
	if i := strings.IndexAny(str, "eE"); i >= 0 {
		exp, _ = strconv.Atoi(str[i+1:])
		str = str[:i]
	}
	intPart, frac, _ := strings.Cut(str, ".")
	u, _ := new(big.Int).SetString(strings.TrimPrefix(intPart, "+")+frac, 10)
	if u == nil { // "-.5" style: sign without integer digits
		u, _ = new(big.Int).SetString(intPart+"0"+frac, 10)
	}
	scale := len(frac) - exp
	if scale < 0 {
		u.Mul(u, pow10(int32(-scale)))
		scale = 0
	}
	return Decimal{unscaled: u, scale: int32(scale)}, nil
}

// Money is an amount Odoo gives as a float, in cents.
func Money(f float64) Decimal {
	return MustParse(strconv.FormatFloat(f, 'f', 2, 64))
}

// MustParse is Parse for constants; it panics on malformed input.
func MustParse(s string) Decimal {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

func pow10(n int32) *big.Int { return new(big.Int).Exp(ten, big.NewInt(int64(n)), nil) }

func (d Decimal) int() *big.Int {
	if d.unscaled == nil {
		return new(big.Int)
	}
	return d.unscaled
}

// rescale returns the unscaled value at a scale >= d.scale.
func (d Decimal) rescale(scale int32) *big.Int {
	return new(big.Int).Mul(d.int(), pow10(scale-d.scale))
}

func align(a, b Decimal) (*big.Int, *big.Int, int32) {
	s := max(a.scale, b.scale)
	return a.rescale(s), b.rescale(s), s
}

// Add returns d + e.
func (d Decimal) Add(e Decimal) Decimal {
	x, y, s := align(d, e)
	return Decimal{unscaled: x.Add(x, y), scale: s}
}

// Sub returns d - e.
func (d Decimal) Sub(e Decimal) Decimal {
	x, y, s := align(d, e)
	return Decimal{unscaled: x.Sub(x, y), scale: s}
}

// Neg returns -d.
func (d Decimal) Neg() Decimal {
	return Decimal{unscaled: new(big.Int).Neg(d.int()), scale: d.scale}
}

// Mul returns d × e exactly.
func (d Decimal) Mul(e Decimal) Decimal {
	return Decimal{unscaled: new(big.Int).Mul(d.int(), e.int()), scale: d.scale + e.scale}
}

// MulInt returns d × n.
func (d Decimal) MulInt(n int64) Decimal {
	return Decimal{unscaled: new(big.Int).Mul(d.int(), big.NewInt(n)), scale: d.scale}
}

// Div returns d / e rounded half away from zero to places digits.
// It panics on division by zero, like integer division.
func (d Decimal) Div(e Decimal, places int32) Decimal {
	// d/e = (ud × 10^(es+places+1-ds)) / ue at scale places+1, then round once.
	num := new(big.Int).Set(d.int())
	shift := e.scale + places + 1 - d.scale
	den := new(big.Int).Set(e.int())
	if shift >= 0 {
		num.Mul(num, pow10(shift))
	} else {
		den.Mul(den, pow10(-shift))
	}
	return Decimal{unscaled: num.Quo(num, den), scale: places + 1}.Round(places)
}

// Round returns d rounded half away from zero to places fractional digits
// (e.g. 2 for EUR, 0 for JPY). It never adds digits.
func (d Decimal) Round(places int32) Decimal {
	if d.scale <= places {
		return d
	}
	q, r := new(big.Int).QuoRem(d.int(), pow10(d.scale-places), new(big.Int))
	half := pow10(d.scale - places)
	r2 := new(big.Int).Abs(r)
	if r2.Mul(r2, big.NewInt(2)).Cmp(half) >= 0 {
		q.Add(q, big.NewInt(int64(d.int().Sign())))
	}
	return Decimal{unscaled: q, scale: places}
}

// Cmp returns -1, 0 or +1 as d is less than, equal to or greater than e.
func (d Decimal) Cmp(e Decimal) int {
	x, y, _ := align(d, e)
	return x.Cmp(y)
}

// Equal reports d == e numerically (1.50 equals 1.5).
func (d Decimal) Equal(e Decimal) bool { return d.Cmp(e) == 0 }

// Sign returns -1, 0 or +1.
func (d Decimal) Sign() int { return d.int().Sign() }

// IsZero reports d == 0.
func (d Decimal) IsZero() bool { return d.Sign() == 0 }

// Int64 returns the integer part, truncated toward zero, and whether it fits.
func (d Decimal) Int64() (int64, bool) {
	q := new(big.Int).Quo(d.int(), pow10(d.scale))
	return q.Int64(), q.IsInt64()
}

// String prints d with its scale kept: New(1950, 2) is "19.50".
func (d Decimal) String() string {
	s := new(big.Int).Abs(d.int()).String()
	if d.scale > 0 {
		if pad := int(d.scale) + 1 - len(s); pad > 0 {
			s = strings.Repeat("0", pad) + s
		}
		s = s[:len(s)-int(d.scale)] + "." + s[len(s)-int(d.scale):]
	}
	if d.Sign() < 0 {
		s = "-" + s
	}
	return s
}

// StringFixed prints d rounded to exactly places fractional digits.
func (d Decimal) StringFixed(places int32) string {
	r := d.Round(places)
	return Decimal{unscaled: r.rescale(places), scale: places}.String()
}

// MarshalJSON writes a JSON string, the way Shopify sends Money and Decimal.
func (d Decimal) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON accepts a JSON string or a JSON number; null leaves d unchanged.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	v, err := Parse(string(b))
	if err != nil {
		return errors.New("decimal: cannot decode " + string(b))
	}
	*d = v
	return nil
}
