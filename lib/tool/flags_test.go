package tool

import "testing"

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"1048576", 1 << 20}, {"512KiB", 512 << 10}, {"32MiB", 32 << 20}, {"32MB", 32 << 20},
		{"32m", 32 << 20}, {"1GiB", 1 << 30}, {"1.5 GiB", 3 << 29}, {"100b", 100}, {" 2k ", 2048},
	}
	for _, tt := range tests {
		if got, err := ParseSize(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "lots", "MiB", "-1MiB", "0", "3TiB", "12 parsecs", "1ib", "0.1"} {
		if n, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", bad, n)
		}
	}
}
