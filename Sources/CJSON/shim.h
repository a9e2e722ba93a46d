#include <cjson/cJSON.h>

// Declared here rather than through <stdio.h>/<stdlib.h>: CSupport includes libc with
// _GNU_SOURCE, and a second module including the same headers under other feature macros
// gets conflicting definitions of libc's types. snprintf comes as a clang builtin.
double strtod(const char *text, char **end);

// The text sy_cjson_create_number gives a finite number that is not an integer below 1e15
// (JSONWriter prints those itself): "%.0f" for other integers below 2^63, else the fewest of
// 15, 16 or 17 significant digits that read back to the same double. `text` holds 32 bytes.
static inline void sy_json_format_number(double value, char *text) {
    double magnitude = value < 0 ? -value : value;
    if (magnitude < 9.2e18 && (double)(long long)value == value) {
        __builtin_snprintf(text, 32, "%.0f", value);
        return;
    }
    for (int precision = 15; precision <= 17; precision++) {
        __builtin_snprintf(text, 32, "%.*g", precision, value);
        if (strtod(text, NULL) == value) break;
    }
}

// cJSON prints a number with "%1.15g" and keeps that text whenever it reads back within a
// relative DBL_EPSILON of the value, so 2^53 prints as 9.00719925474099e+15 (2 off), 1e15 as
// 1e+15, 0.30000000000000004 as 0.3 and DBL_MAX as 1.79769313486232e+308 (read back: inf).
// This prints the number exactly instead (snprintf is variadic, hence a shim) and hands cJSON
// the text as a raw item. Integers below 1e15 stay plain cJSON numbers: cJSON prints those
// exactly and a raw item costs one more allocation. Other integers below 2^63 print as plain
// digits; everything else with the fewest of 15, 16 or 17 significant digits that reads back
// to the same double (if 15 digits do not, no shorter form does). NaN and infinity have no
// JSON form and become null. No libm calls (fabs, floor), so no new link dependency.
static inline cJSON *sy_cjson_create_number(double value) {
    double magnitude = value < 0 ? -value : value;
    if (!(value - value == 0)) return cJSON_CreateNull(); /* NaN or infinity */
    int integral = magnitude < 9.2e18 && (double)(long long)value == value;
    if (integral && magnitude < 1e15) return cJSON_CreateNumber(value == 0 ? 0.0 : value);
    char text[32];
    sy_json_format_number(value, text);
    return cJSON_CreateRaw(text);
}
