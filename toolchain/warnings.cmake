# -Wall -Wextra -Werror everywhere, plus the checks that keep modules honest:
# -Wmissing-prototypes proves that everything not in a header is static.
add_compile_options(-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
  -Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla
  -Wno-missing-field-initializers -fno-common)
