#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"

#include <QCoreApplication>

class QObject;

// The NVIDIA Container Toolkit's nvidia-cdi-refresh units (1.18 and newer): the path unit that
// watches the driver and the toolkit, and the service that regenerates the CDI specification when
// they change. Asks this machine's systemd (systemctl show); not applicable without systemd, or
// when the engine runs on another host.
class CdiRefreshCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static void run(const DoctorFacts &facts, QObject *context, const DoctorCheck::Done &done);
    // How systemctl show answered: its exit code, stdout and stderr.
    static DoctorCheck::Verdict judge(const DoctorFacts &facts, int exitCode, const QByteArray &out,
                                      const QByteArray &err);
};
