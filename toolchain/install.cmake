# install.cmake — what `cmake --install` puts around the program, for the
# Debian package (toolchain/debian) and any other installer: systemd units,
# the system user and its data directory, the example configuration, the
# kiosk's lock-down examples. Paths follow GNUInstallDirs; the units name
# them, so a /usr/local install gets units that point at /usr/local/bin.
set(QUAN_SYSTEMD_UNITDIR "/lib/systemd/system" CACHE PATH
  "where systemd units go (Debian 12: /lib/systemd/system)")
set(QUAN_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})
set(QUAN_SYSCONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/quan)
set(QUAN_STATEDIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/quan)

# Hardening shared by every unit: quan writes only its data directory.
string(JOIN "\n" QUAN_HARDENING
  "ProtectSystem=strict"
  "ReadWritePaths=${QUAN_STATEDIR}"
  "ProtectHome=yes"
  "PrivateTmp=yes"
  "NoNewPrivileges=yes"
  "CapabilityBoundingSet="
  "ProtectKernelTunables=yes"
  "ProtectKernelModules=yes"
  "ProtectKernelLogs=yes"
  "ProtectControlGroups=yes"
  "ProtectHostname=yes"
  "RestrictNamespaces=yes"
  "RestrictRealtime=yes"
  "RestrictSUIDSGID=yes"
  "LockPersonality=yes"
  "MemoryDenyWriteExecute=yes"
  "SystemCallArchitectures=native")

set(_sd ${CMAKE_SOURCE_DIR}/toolchain/systemd)
foreach(unit quan-sync.service quan-hub-sync.service quan-callbacks.service
    quan-kiosk@.service)
  configure_file(${_sd}/${unit}.in ${CMAKE_BINARY_DIR}/systemd/${unit} @ONLY)
  install(FILES ${CMAKE_BINARY_DIR}/systemd/${unit}
    DESTINATION ${QUAN_SYSTEMD_UNITDIR})
endforeach()
install(FILES ${_sd}/quan.sysusers DESTINATION lib/sysusers.d
  RENAME quan.conf)
install(FILES ${_sd}/quan.tmpfiles DESTINATION lib/tmpfiles.d
  RENAME quan.conf)
install(FILES ${CMAKE_SOURCE_DIR}/toolchain/quan.conf
  DESTINATION ${CMAKE_INSTALL_FULL_SYSCONFDIR}/quan)
install(FILES ${CMAKE_SOURCE_DIR}/toolchain/kiosk/README.md
  ${CMAKE_SOURCE_DIR}/toolchain/kiosk/logind-kiosk.conf
  ${CMAKE_SOURCE_DIR}/toolchain/kiosk/system-kiosk.conf
  ${CMAKE_SOURCE_DIR}/toolchain/kiosk/fstab.example
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/kiosk)
