#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"

#include <QCoreApplication>

// CDI on or off, its spec files and devices, and whether they still match the host's GPUs. Where
// CDI is the way GPUs are asked for (a preset uses it, or Podman), its faults fail; elsewhere they
// only warn.
class CdiCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static DoctorCheck::Verdict run(const DoctorFacts &facts);
    // Writes the specification of the host's GPUs.
    static const QString &generateCommand();
};
