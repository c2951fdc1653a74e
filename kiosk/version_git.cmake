# Run at every build (cmake -P, by the version_git target): OUT from IN with
# `git describe` of SRC, "" when SRC is not a git tree or GIT is empty.
# configure_file() leaves OUT alone when its text would not change, so
# nothing that includes it is rebuilt then.
set(HIFAZAT_GIT_DESCRIBE "")
if(GIT)
  execute_process(COMMAND ${GIT} describe --always --dirty --tags
    WORKING_DIRECTORY ${SRC} OUTPUT_VARIABLE describe
    OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    set(HIFAZAT_GIT_DESCRIBE "${describe}")
  endif()
endif()
configure_file(${IN} ${OUT} @ONLY)
