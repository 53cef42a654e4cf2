#pragma once

#include "TestEngine.h"
#include "window/MainWindow.h"

#include <QCoreApplication>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

// What the window tests set up alike, as KeePassXC's GuiTestBase: settings of the test's own in
// a fresh directory (never the user's), this machine's GPUs from the fake NVML library, and
// windows on the test engine. A test class derives from it and calls these from initTestCase().
class GuiTestBase : public QObject
{
protected:
    // QSettings of application in dir (m_settings when empty).
    void useSettings(const QString &application, const QString &dir = {})
    {
        QCoreApplication::setOrganizationName(QStringLiteral("gpudeck-test"));
        QCoreApplication::setApplicationName(application);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope,
                           dir.isEmpty() ? m_settings.path() : dir);
    }

#ifdef GPUDECK_FAKE_NVML
    // The fake NVML (tests/gpu/FakeNvml.cpp) with one of its scenarios: "eight" or "two" GPUs.
    static void useFakeNvml(const char *scenario)
    {
        qputenv("GPUDECK_NVML_PATH", GPUDECK_FAKE_NVML);
        qputenv("GPUDECK_FAKE_NVML_SCENARIO", scenario);
    }
#endif

    // A window on host, shown; a warning when the platform never exposed it.
    static std::unique_ptr<MainWindow> openWindow(const QString &host = TestEngine::host())
    {
        auto window = std::make_unique<MainWindow>(host);
        window->show();
        if (!QTest::qWaitForWindowExposed(window.get()))
            qWarning("window not exposed");
        return window;
    }

    QTemporaryDir m_settings;
};
