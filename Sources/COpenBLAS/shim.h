// OpenBLAS's CBLAS interface (Debian: libopenblas-dev). Dimensions are 32-bit ints in this build.
#include <cblas.h>
