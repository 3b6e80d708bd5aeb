#pragma once
// A header that breaks a rule of scripts/check_headers.py on purpose: the
// test header_structure_heavy_include requires the script to refuse it.

#include <memory>
