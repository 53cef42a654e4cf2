#pragma once

#include "DoctorCheck.h"
#include "DoctorFacts.h"

#include <QCoreApplication>

// Is the "nvidia" runtime registered? It fails only where a preset asks for it; Podman needs none.
class RuntimeCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    static DoctorCheck::Verdict run(const DoctorFacts &facts);
};
