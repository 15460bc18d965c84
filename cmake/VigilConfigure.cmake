# Probes the build machine and collects the EVENT__* definitions that
# cmake/event-config.h.in turns into <event2/event-config.h>.  The set of
# names is libevent 2.1's, so that programs testing them see the same facts.
include(CheckIncludeFile)
include(CheckSymbolExists)
include(CheckFunctionExists)
include(CheckTypeSize)
include(CheckStructHasMember)
include(CheckCSourceCompiles)

set(VIGIL_CONFIG_DEFINES "")
macro(vigil_define name value)
    string(APPEND VIGIL_CONFIG_DEFINES "#define ${name} ${value}\n")
endmacro()

set(CMAKE_REQUIRED_DEFINITIONS -D_GNU_SOURCE)

# Headers: EVENT__HAVE_<NAME>_H for each one found.
foreach(header
        arpa/inet.h dlfcn.h errno.h fcntl.h ifaddrs.h inttypes.h netdb.h
        netinet/in.h netinet/tcp.h poll.h stdarg.h stddef.h stdint.h stdio.h
        stdlib.h string.h strings.h sys/epoll.h sys/eventfd.h sys/ioctl.h
        sys/mman.h sys/param.h sys/queue.h sys/random.h sys/resource.h
        sys/select.h sys/sendfile.h sys/socket.h sys/stat.h sys/timerfd.h
        sys/time.h sys/types.h sys/uio.h sys/un.h sys/wait.h unistd.h wchar.h
        zlib.h openssl/ssl.h)
    string(TOUPPER "${header}" _up)
    string(REGEX REPLACE "[/.]" "_" _up "${_up}")
    check_include_file("${header}" "VIGIL_HAVE_${_up}")
    if(VIGIL_HAVE_${_up})
        vigil_define("EVENT__HAVE_${_up}" 1)
    endif()
endforeach()

# Functions and macros provided by the C library.
set(_vigil_probe_headers
    sys/types.h sys/socket.h sys/time.h sys/epoll.h sys/eventfd.h
    sys/timerfd.h sys/mman.h sys/random.h sys/sendfile.h sys/resource.h
    sys/stat.h sys/select.h sys/queue.h poll.h netdb.h arpa/inet.h fcntl.h
    signal.h stdio.h stdlib.h string.h time.h unistd.h ifaddrs.h)
foreach(fn
        accept4 arc4random arc4random_buf clock_gettime epoll_create1
        epoll_ctl eventfd fcntl getaddrinfo getegid geteuid getifaddrs
        getnameinfo getprotobynumber getrandom getservbyname gettimeofday
        inet_ntop inet_pton mmap nanosleep pipe pipe2 poll putenv select
        sendfile setenv setrlimit sigaction signal splice strsep strtok_r
        strtoll timerfd_create umask unsetenv usleep vasprintf)
    string(TOUPPER "${fn}" _up)
    check_symbol_exists("${fn}" "${_vigil_probe_headers}" "VIGIL_HAVE_${_up}")
    if(VIGIL_HAVE_${_up})
        vigil_define("EVENT__HAVE_${_up}" 1)
    endif()
endforeach()
if(VIGIL_HAVE_EPOLL_CTL)
    vigil_define(EVENT__HAVE_EPOLL 1)
endif()
foreach(m timeradd timerclear timercmp timerisset)
    string(TOUPPER "${m}" _up)
    check_symbol_exists("${m}" "sys/time.h" "VIGIL_HAVE_${_up}")
    if(VIGIL_HAVE_${_up})
        vigil_define("EVENT__HAVE_${_up}" 1)
    endif()
endforeach()
check_symbol_exists(TAILQ_FOREACH "sys/queue.h" VIGIL_HAVE_TAILQFOREACH)
if(VIGIL_HAVE_TAILQFOREACH)
    vigil_define(EVENT__HAVE_TAILQFOREACH 1)
endif()
check_symbol_exists(F_SETFD "fcntl.h" VIGIL_HAVE_SETFD)
if(VIGIL_HAVE_SETFD)
    vigil_define(EVENT__HAVE_SETFD 1)
endif()

# Types and their sizes.
set(CMAKE_EXTRA_INCLUDE_FILES
    sys/types.h sys/socket.h netinet/in.h netdb.h sys/select.h stdint.h
    pthread.h sys/un.h)
foreach(t uint8_t uint16_t uint32_t uint64_t uintptr_t sa_family_t fd_mask)
    string(TOUPPER "${t}" _up)
    check_type_size("${t}" "VIGIL_SIZEOF_${_up}")
    if(HAVE_VIGIL_SIZEOF_${_up})
        vigil_define("EVENT__HAVE_${_up}" 1)
    endif()
endforeach()
foreach(s addrinfo in6_addr linger sockaddr_in6 sockaddr_storage sockaddr_un)
    string(TOUPPER "${s}" _up)
    check_type_size("struct ${s}" "VIGIL_SIZEOF_STRUCT_${_up}")
    if(HAVE_VIGIL_SIZEOF_STRUCT_${_up})
        vigil_define("EVENT__HAVE_STRUCT_${_up}" 1)
    endif()
endforeach()
foreach(pair "int:INT" "long:LONG" "long long:LONG_LONG" "off_t:OFF_T"
        "pthread_t:PTHREAD_T" "short:SHORT" "size_t:SIZE_T" "time_t:TIME_T"
        "void *:VOID_P")
    string(REPLACE ":" ";" _p "${pair}")
    list(GET _p 0 _type)
    list(GET _p 1 _name)
    check_type_size("${_type}" "VIGIL_SIZEOF_${_name}")
    vigil_define("EVENT__SIZEOF_${_name}" "${VIGIL_SIZEOF_${_name}}")
endforeach()
unset(CMAKE_EXTRA_INCLUDE_FILES)

check_struct_has_member("struct in6_addr" s6_addr16 netinet/in.h
    VIGIL_HAVE_S6_ADDR16)
check_struct_has_member("struct in6_addr" s6_addr32 netinet/in.h
    VIGIL_HAVE_S6_ADDR32)
check_struct_has_member("struct sockaddr_storage" ss_family sys/socket.h
    VIGIL_HAVE_SS_FAMILY)
if(VIGIL_HAVE_S6_ADDR16)
    vigil_define(EVENT__HAVE_STRUCT_IN6_ADDR_S6_ADDR16 1)
endif()
if(VIGIL_HAVE_S6_ADDR32)
    vigil_define(EVENT__HAVE_STRUCT_IN6_ADDR_S6_ADDR32 1)
endif()
if(VIGIL_HAVE_SS_FAMILY)
    vigil_define(EVENT__HAVE_STRUCT_SOCKADDR_STORAGE_SS_FAMILY 1)
endif()
unset(CMAKE_REQUIRED_DEFINITIONS)

# Optional components.
find_package(Threads)
if(CMAKE_USE_PTHREADS_INIT)
    set(VIGIL_HAVE_PTHREADS ON)
    vigil_define(EVENT__HAVE_PTHREADS 1)
endif()
if(VIGIL_OPENSSL)
    find_package(OpenSSL 1.1)
    if(OPENSSL_FOUND)
        vigil_define(EVENT__HAVE_OPENSSL 1)
    else()
        message(STATUS "Vigil: OpenSSL not found, libevent_openssl not built")
        set(VIGIL_OPENSSL OFF)
    endif()
endif()
