# QUAN_SANITIZER=address gives ASan+UBSan (no recovery); thread gives TSan.
if(QUAN_SANITIZER STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)
elseif(QUAN_SANITIZER STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(NOT QUAN_SANITIZER STREQUAL "")
  message(FATAL_ERROR "QUAN_SANITIZER must be address, thread or empty")
endif()
if(_san)
  add_compile_options(${_san})
  add_link_options(${_san})
endif()
