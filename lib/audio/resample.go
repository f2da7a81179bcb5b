package audio

import "math"

// Rate is the sample rate speech models take.
const Rate = 16000

// Resampler quality: the kernel reaches over zeroCrossings zero crossings of
// the (scaled) sinc on each side, windowed with a Kaiser window of beta
// kaiserBeta (about 80 dB of stop-band attenuation); the pass band ends at
// cutoff of the lower Nyquist frequency.
const (
	zeroCrossings = 16
	kaiserBeta    = 8.0
	cutoff        = 0.90
	maxPhases     = 4096
	maxTable      = 1 << 20 // polyphase table entries (4 MiB), whatever the rates
)

// Resample converts samples from rate in to rate out with a band-limited
// windowed-sinc filter. For ratios of small integers (44.1 or 48 kHz to
// 16 kHz) the filter is precomputed per phase; other ratios use an
// oversampled kernel table with linear interpolation. Either table is at
// most a few MiB, so the cost of a short file stays small at any rate.
func Resample(x []float32, in, out int) []float32 {
	if in == out || len(x) == 0 {
		return append([]float32(nil), x...)
	}
	g := gcd(in, out)
	up, down := out/g, in/g // output sample j sits at input time j*down/up
	scale := math.Min(1, float64(out)/float64(in)) * cutoff
	half := int(math.Ceil(zeroCrossings / scale)) // kernel half-width in input samples
	n := int((int64(len(x))*int64(out) + int64(in) - 1) / int64(in))
	y := make([]float32, n)
	if up <= maxPhases && up*2*half <= maxTable {
		polyphase(x, y, up, down, half, scale)
	} else {
		interpolated(x, y, float64(in)/float64(out), half, scale)
	}
	return y
}

// kernel is the windowed sinc at distance d input samples, scaled.
func kernel(d, scale float64, half int) float64 {
	t := d / float64(half)
	if t <= -1 || t >= 1 {
		return 0
	}
	w := bessel0(kaiserBeta*math.Sqrt(1-t*t)) / bessel0(kaiserBeta)
	a := d * scale
	s := 1.0
	if a != 0 {
		s = math.Sin(math.Pi*a) / (math.Pi * a)
	}
	return scale * s * w
}

func polyphase(x, y []float32, up, down, half int, scale float64) {
	taps := 2 * half
	// Phase p holds the taps for output times with fractional input
	// position p/up: tap k weighs input sample floor(t)-half+1+k.
	table := make([]float32, up*taps)
	for p := range up {
		frac := float64(p) / float64(up)
		for k := range taps {
			d := frac - float64(k-half+1)
			table[p*taps+k] = float32(kernel(d, scale, half))
		}
	}
	for j := range y {
		pos := int64(j) * int64(down)
		base := int(pos/int64(up)) - half + 1
		h := table[int(pos%int64(up))*taps:][:taps]
		var acc float32
		if base >= 0 && base+taps <= len(x) {
			acc = dot(h, x[base:base+taps])
		} else {
			for k, c := range h {
				if i := base + k; i >= 0 && i < len(x) {
					acc += c * x[i]
				}
			}
		}
		y[j] = acc
	}
}

// dot is the inner product of two slices of one length, four lanes at once.
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// oversample is how many table entries the interpolated kernel has per
// input sample.
const oversample = 512

func interpolated(x, y []float32, step float64, half int, scale float64) {
	table := make([]float64, half*oversample+2)
	for i := range table {
		table[i] = kernel(float64(i)/oversample, scale, half)
	}
	at := func(d float64) float64 {
		d = math.Abs(d) * oversample
		i := int(d)
		if i+1 >= len(table) {
			return 0
		}
		f := d - float64(i)
		return table[i]*(1-f) + table[i+1]*f
	}
	for j := range y {
		t := float64(j) * step
		base := int(math.Floor(t)) - half + 1
		var acc float64
		for k := range 2 * half {
			i := base + k
			if i >= 0 && i < len(x) {
				acc += float64(x[i]) * at(t-float64(i))
			}
		}
		y[j] = float32(acc)
	}
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// bessel0 is the modified Bessel function of the first kind, order 0.
func bessel0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / 2) / float64(k)
		sum += term * term
		if term*term < 1e-12*sum {
			break
		}
	}
	return sum
}

// To16k decodes nothing: it resamples decoded audio to the rate speech
// models take.
func (a Audio) To16k() Audio {
	if a.Rate == Rate {
		return a
	}
	return Audio{Samples: Resample(a.Samples, a.Rate, Rate), Rate: Rate}
}
