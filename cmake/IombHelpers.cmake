# iomb_add_test(NAME name SOURCES ... LIBS ... LABEL unit|integration [TIMEOUT s])
# One GoogleTest executable registered with ctest under a label.
function(iomb_add_test)
  cmake_parse_arguments(T "" "NAME;LABEL;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  iomb_test_compile_options(${T_NAME})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  gtest_discover_tests(${T_NAME}
    PROPERTIES LABELS ${T_LABEL} TIMEOUT ${T_TIMEOUT}
    DISCOVERY_TIMEOUT 60)
endfunction()

# iomb_test_compile_options(target): the optimisation of test code itself (not of the code it
# tests, which keeps its build type's). GoogleTest bodies are large and cost the compiler far
# more at -O2 than they could gain at run time: a test file took 137 s under ASan+UBSan at
# -O2 -g, 22 s at -O0 -g1 (17 s and 11 s in release at -O2 and -O0).
function(iomb_test_compile_options target)
  if(IOMB_SANITIZE)
    target_compile_options(${target} PRIVATE -O0)
  else()
    target_compile_options(${target} PRIVATE -O1)
  endif()
endfunction()

# iomb_add_library(NAME name [TARGET target] SOURCES ... [LIBS ...])
# One static library of the project: target `iomb_<name>` (or TARGET), alias `iomb::<name>`,
# includes from the source root, LIBS linked PUBLIC.
function(iomb_add_library)
  cmake_parse_arguments(L "" "NAME;TARGET" "SOURCES;LIBS" ${ARGN})
  if(NOT L_TARGET)
    set(L_TARGET iomb_${L_NAME})
  endif()
  add_library(${L_TARGET} STATIC ${L_SOURCES})
  add_library(iomb::${L_NAME} ALIAS ${L_TARGET})
  target_include_directories(${L_TARGET} PUBLIC ${PROJECT_SOURCE_DIR})
  if(L_LIBS)
    target_link_libraries(${L_TARGET} PUBLIC ${L_LIBS})
  endif()
endfunction()
