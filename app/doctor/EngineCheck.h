#pragma once

#include "DoctorCheck.h"
#include "common/Result.h"
#include "engine/EngineTypes.h"

#include <QCoreApplication>

class DockerClient;

// Is the engine there, and may this user use it (its socket, or a safe connection to it)?
class EngineCheck
{
    Q_DECLARE_TR_FUNCTIONS(Doctor)

public:
    // The engine line and the socket line, from the engine's answer to /info.
    static DoctorCheck::Verdict engine(const DockerClient &client, const Result<EngineInfo> &info);
    static DoctorCheck::Verdict socket(const DockerClient &client, const Result<EngineInfo> &info);
};
