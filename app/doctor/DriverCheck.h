#pragma once

#include "DoctorCheck.h"
#include "gpu/GpuSnapshot.h"

#include <QCoreApplication>

// Does the host have an NVIDIA driver that lists its GPUs?
class DriverCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static DoctorCheck::Verdict run(const GpuSnapshot &snapshot);
};
