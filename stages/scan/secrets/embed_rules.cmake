# cmake -DIN=rules.toml -DOUT=rules.cc -P embed_rules.cmake
file(READ ${IN} text)
string(FIND "${text}" ")dso_rules\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )dso_rules\"")
endif()
file(WRITE ${OUT} "// Generated from default_rules.toml; do not edit.\n"
  "namespace dso {\nextern const char kDefaultSecretRulesToml[];\n"
  "const char kDefaultSecretRulesToml[] = R\"dso_rules(${text})dso_rules\";\n"
  "}  // namespace dso\n")
