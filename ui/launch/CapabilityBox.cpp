#include "launch/CapabilityBox.h"

#include "launch/LaunchSpec.h"
#include "widgets/StatusColors.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

CapabilityBox::CapabilityBox(QWidget *parent)
    : QGroupBox(tr("Driver capabilities"), parent),
      m_all(new QCheckBox(tr("A&ll"), this)),
      m_issue(new QLabel(this))
{
    setObjectName(QStringLiteral("capabilityBox"));
    setToolTip(tr("What of the NVIDIA driver is mounted into a GPU container "
                  "(NVIDIA_DRIVER_CAPABILITIES). With none ticked the toolkit gives utility and "
                  "compute."));
    auto *grid = new QGridLayout;
    const QStringList &known = LaunchSpec::knownCapabilities();
    for (int i = 0; i < known.size(); ++i) {
        const QString &cap = known.at(i);
        auto *box = new QCheckBox(cap, this);
        box->setObjectName(QStringLiteral("cap_") + cap);
        box->setToolTip(describe(cap));
        grid->addWidget(box, i / 3, i % 3);
        m_boxes.insert(cap, box);
        connect(box, &QCheckBox::toggled, this, [this]() {
            if (m_updating)
                return;
            syncAll();
            setIssue({});
            emit changed();
        });
    }
    m_all->setObjectName(QStringLiteral("capAll"));
    m_all->setToolTip(tr("Tick or untick every capability"));
    m_all->setTristate(false);
    connect(m_all, &QCheckBox::clicked, this, [this](bool on) {
        m_updating = true;
        for (QCheckBox *box : std::as_const(m_boxes))
            box->setChecked(on);
        m_updating = false;
        syncAll();
        setIssue({});
        emit changed();
    });
    auto *gpu = new QLabel(tr("<i>gpu</i> is always requested"), this);
    gpu->setToolTip(tr("Docker adds the \"gpu\" capability to every GPU request, as docker run "
                       "--gpus does."));
    gpu->setEnabled(false);
    grid->addWidget(m_all, 2, 0);
    grid->addWidget(gpu, 2, 1, 1, 2);

    m_issue->setWordWrap(true);
    m_issue->setStyleSheet(StatusColors::styleSheet(StatusColors::Tone::Error, m_issue));
    m_issue->hide();
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(grid);
    layout->addWidget(m_issue);
}

QString CapabilityBox::describe(const QString &capability)
{
    if (capability == QLatin1String("compute"))
        return tr("compute: CUDA and OpenCL libraries, to run GPU programs");
    if (capability == QLatin1String("utility"))
        return tr("utility: nvidia-smi and NVML, to query and monitor the GPUs");
    if (capability == QLatin1String("graphics"))
        return tr("graphics: OpenGL and Vulkan libraries, for rendering");
    if (capability == QLatin1String("video"))
        return tr("video: the Video Codec SDK (NVENC/NVDEC), for hardware encoding and decoding");
    if (capability == QLatin1String("display"))
        return tr("display: X11 display libraries, to drive a display from the container");
    if (capability == QLatin1String("compat32"))
        return tr("compat32: 32-bit versions of the driver libraries, for 32-bit programs");
    return capability;
}

QStringList CapabilityBox::capabilities() const
{
    QStringList result;
    for (const QString &cap : LaunchSpec::knownCapabilities()) {
        if (m_boxes.value(cap)->isChecked())
            result.append(cap);
    }
    return result;
}

void CapabilityBox::setCapabilities(const QStringList &capabilities)
{
    m_updating = true;
    for (auto it = m_boxes.cbegin(); it != m_boxes.cend(); ++it)
        it.value()->setChecked(capabilities.contains(it.key()));
    m_updating = false;
    syncAll();
    emit changed();
}

void CapabilityBox::syncAll()
{
    const bool all = std::all_of(m_boxes.cbegin(), m_boxes.cend(),
                                 [](const QCheckBox *box) { return box->isChecked(); });
    m_all->setChecked(all);
}

void CapabilityBox::setIssue(const QString &message)
{
    m_issue->setText(message);
    m_issue->setVisible(!message.isEmpty());
}
