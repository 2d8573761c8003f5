/* seccomp-lib.h - libseccomp's <seccomp.h>, which our own seccomp.h shadows (-Ilauncher comes
 * first in the search path). Include this with angle brackets: #include_next then continues the
 * search after launcher/ and finds the library header. */
#pragma once
#include_next <seccomp.h>
