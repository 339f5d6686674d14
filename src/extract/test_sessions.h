#pragma once
// Writers of real-shaped instrument files for the extract tests: SerialEM tilt series,
// montages, frame-stack mdocs and maps as SerialEM 4.x writes them (CRLF, two titles, one
// [ZValue] block per image), Tomo5 tilt series, and EPU MicroscopeImage XMLs as EPU 3.x
// writes them (one line, .NET DataContract namespaces, CustomData pairs). Every value is a
// parameter, so a test knows the truth it checks against. Test-only; not part of the library.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace openem::extract::testing {

inline std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// A fresh, empty folder under the system temp folder.
inline std::filesystem::path fresh_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / ("openem_extract_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

struct SerialEmSeries {
  std::string image_file = "TS_1.mrc";
  double pixel_a = 2.7, voltage_kv = 300;
  int magnification = 42000, mag_index = 28, camera_index = 1;
  double first_tilt = -60, tilt_step = 3;
  int tilts = 41;
  double dose = 3.1;              // ExposureDose per image, e/Å²
  double target_defocus_um = -4, defocus_um = -3.8;
  double exposure_s = 2.5;
  int frames = 10;
  std::string camera_title = "Camera -> 0:Ceta 1:K3";  // title 1; "" for none
  std::string date = "03-May-23";
  std::string magnification_text;  // overrides the number when not empty ("33k", "-1e20")
  bool montage = false;            // Montage = 1, piece coordinates and a [MontSection]
  bool frames_saved = true;        // SubFramePath/NumSubFrames per image
};

inline std::string serialem_mdoc(const SerialEmSeries& s) {
  std::string t;
  auto line = [&](const std::string& l) { t += l + "\r\n"; };
  line("PixelSpacing = " + num(s.pixel_a));
  line("Voltage = " + num(s.voltage_kv));
  line("ImageFile = " + s.image_file);
  line("ImageSize = 4092 5760");
  if (s.montage) line("Montage = 1");
  line("DataMode = 6");
  line("");
  line("[T = SerialEM: Titan Krios D3692 " + s.camera_title + "   " + s.date + "  13:28:10    ]");
  line("");
  line("[T =     Tilt axis angle = 84.3, binning = 1  spot = 6  camera = " + std::to_string(s.camera_index) + "]");
  line("");
  for (int i = 0; i < s.tilts; ++i) {
    line("[ZValue = " + std::to_string(i) + "]");
    if (s.montage) line("PieceCoordinates = " + std::to_string(i * 3500) + " 0 0");
    line("MinMaxMean = 0 18238 101.119");
    line("TiltAngle = " + num(s.first_tilt + i * s.tilt_step + 0.0002 * (i % 3)));
    line("StagePosition = 4.97259 -299.41");
    line("StageZ = -5.85607");
    line("Magnification = " + (s.magnification_text.empty() ? std::to_string(s.magnification) : s.magnification_text));
    line("Intensity = 0.134968");
    line("ExposureDose = " + num(s.dose));
    line("DoseRate = 1.11844");
    line("PixelSpacing = " + num(s.pixel_a));
    line("SpotSize = 6");
    line("Defocus = " + num(s.defocus_um));
    line("ImageShift = 1.70971 0.195647");
    line("RotationAngle = 174.25");
    line("ExposureTime = " + num(s.exposure_s));
    line("Binning = 1");
    line("CameraIndex = " + std::to_string(s.camera_index));
    line("DividedBy2 = 0");
    line("MagIndex = " + std::to_string(s.mag_index));
    line("LowDoseConSet = 4");
    line("CountsPerElectron = 38");
    line("TargetDefocus = " + num(s.target_defocus_um));
    if (s.frames_saved) {
      line("SubFramePath = X:\\frames\\" + s.image_file + "_" + std::to_string(i) + ".tif");
      line("NumSubFrames = " + std::to_string(s.frames));
      line("FrameDosesAndNumber = " + num(s.dose / s.frames) + " " + std::to_string(s.frames));
    }
    int minute = 28 + i / 30, second = (i * 2) % 60;
    char time[16];
    std::snprintf(time, sizeof time, "13:%02d:%02d", minute, second);
    line("DateTime = " + s.date + "  " + time);
    line("FilterSlitAndLoss = 20 0");
    line("");
  }
  if (s.montage) {
    line("[MontSection = 0]");
    line("TiltAngle = " + num(s.first_tilt));
    line("FullMontSize = 14000 11500");
    line("MoveStage = 1");
    line("");
  }
  return t;
}

// One movie's frame-stack mdoc ("frame_set_multiple" shape): the movie in [FrameSet = 0],
// then one [ZValue] per slice of the frame series with that slice's dose.
struct SerialEmFrameSet {
  double movie_dose = 291.302, slice_dose = 7.66184;
  int slices = 20, frames = 243;
  double pixel_a = 1.2827, voltage_kv = 300, tilt = 32.986;
  int camera_index = 1;
};

inline std::string serialem_frame_set(const SerialEmFrameSet& f) {
  std::string t;
  auto line = [&](const std::string& l) { t += l + "\n"; };
  line("T = SerialEM: UMass_Krios Camera -> 0:Ceta 1:GIF-K3         08-Oct-21  07:47:29    ");
  line("Voltage = " + num(f.voltage_kv));
  line("");
  line("[FrameSet = 0]");
  line("TiltAngle = " + num(f.tilt));
  line("Magnification = 33000");
  line("ExposureDose = " + num(f.movie_dose));
  line("PixelSpacing = " + num(f.pixel_a));
  line("Defocus = -7.933");
  line("ExposureTime = 40.9854");
  line("Binning = 0.5");
  line("CameraIndex = " + std::to_string(f.camera_index));
  line("MagIndex = 26");
  line("TargetDefocus = -4.5");
  line("SubFramePath = X:\\frames\\s_mmm_01013_33.0_Oct08_07.46.46.tif");
  line("NumSubFrames = " + std::to_string(f.frames));
  line("FrameDosesAndNumber = " + num(f.movie_dose / f.frames) + " " + std::to_string(f.frames));
  line("DateTime = 08-Oct-21  07:47:29");
  line("");
  double prior = 0;
  for (int i = 0; i < f.slices; ++i) {
    line("[ZValue = " + std::to_string(i) + "]");
    line("TiltAngle = " + num(f.tilt));
    line("FrameTSStartEndFrames = " + std::to_string(i * 12) + " " + std::to_string(i * 12 + 12));
    line("PriorRecordDose = " + num(prior));
    line("ExposureDose = " + num(f.slice_dose));
    line("");
    prior += f.slice_dose;
  }
  return t;
}

// Tomo5 tilt series (Position_N.mdoc): instrument code and yy-Mon-dd date in title 1.
inline std::string tomo5_mdoc(const std::string& instrument_code, int tilts = 5) {
  std::string t = "DataMode = 6\r\nImageSize = 4096 4096 \r\nImageFile = Position_1.mrc\r\nPixelSpacing = 2.95\r\n"
                  "Voltage = 200.00\r\n\r\n[T = Tomography: " + instrument_code + "    21-Nov-30  23:02:05]\r\n\r\n"
                  "[T =   TiltAxisAngle = -174.23  Binning = 1  SpotSize = 7]\r\n\r\n";
  for (int i = 0; i < tilts; ++i) {
    t += "[ZValue = " + std::to_string(i) + "]\r\nTiltAngle = " + num(-10 + 3 * i) +
         "\r\nMagnification = 53000\r\nExposureDose = 2.07\r\nPixelSpacing = 2.95\r\nExposureTime = 1.1\r\n"
         "Binning = 1\r\nTargetDefocus = -4\r\nDateTime = 21-Nov-30  23:0" + std::to_string(2 + i) + ":05\r\n\r\n";
  }
  return t;
}

struct EpuImage {
  std::optional<double> dose_per_m2 = 6.3993e21;   // CustomData Dose
  std::optional<double> dose_on_camera = 105.6677; // CustomData DoseOnCamera
  double pixel_m = 1.285e-10;
  double voltage_v = 300000;
  long magnification = 105000;
  std::string detector = "Falcon 4i", camera = "BM-Falcon";
  std::string operating_mode = "TEM";
  std::optional<bool> phase_plate_used = false;
  std::string phase_plate_aperture;  // PhasePlateApertureName ("" = not written)
  std::string time = "2024-08-31T20:05:56.1234567+02:00";
  double applied_defocus_m = -1.5e-6;
};

inline std::string epu_image_xml(const EpuImage& e) {
  const std::string b = R"( xmlns:b="http://www.w3.org/2001/XMLSchema")";
  auto kv = [&](const std::string& key, const std::string& type, const std::string& value) {
    return "<a:KeyValueOfstringanyType><a:Key>" + key + "</a:Key><a:Value i:type=\"b:" + type + "\"" + b + ">" + value +
           "</a:Value></a:KeyValueOfstringanyType>";
  };
  auto sci = [](double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17G", v);
    return std::string(buf);
  };
  std::string custom;
  if (e.dose_on_camera) custom += kv("DoseOnCamera", "double", sci(*e.dose_on_camera));
  if (e.dose_per_m2) custom += kv("Dose", "double", sci(*e.dose_per_m2));
  if (e.phase_plate_used) custom += kv("PhasePlateUsed", "boolean", *e.phase_plate_used ? "true" : "false");
  if (!e.phase_plate_aperture.empty()) custom += kv("PhasePlateApertureName", "string", e.phase_plate_aperture);
  custom += kv("DetectorCommercialName", "string", e.detector);
  custom += kv("AppliedDefocus", "double", sci(e.applied_defocus_m));
  custom += kv("Aperture[C2].Name", "string", "50");
  const std::string unit =
      R"(<unit xmlns:a="http://schemas.datacontract.org/2004/07/Fei.Common.Types"><a:_x003C_PrefixExponent_x003E_k__BackingField>1</a:_x003C_PrefixExponent_x003E_k__BackingField><a:_x003C_Symbol_x003E_k__BackingField>m</a:_x003C_Symbol_x003E_k__BackingField></unit>)";
  std::string px = "<numericValue>" + sci(e.pixel_m) + "</numericValue>" + unit;
  return R"(<MicroscopeImage xmlns="http://schemas.datacontract.org/2004/07/Fei.SharedObjects" xmlns:i="http://www.w3.org/2001/XMLSchema-instance"><name>Empty</name><uniqueID>2d362d0b-949e-4b45-84df-ecb0e7815877</uniqueID>)"
         R"(<CustomData xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays">)" + custom +
         R"(</CustomData><IntensityScale i:nil="true"/><SpatialScale><pixelSize><x>)" + px + "</x><y>" + px +
         R"(</y></pixelSize></SpatialScale><microscopeData><acquisition><acquisitionDateTime>)" + e.time +
         R"(</acquisitionDateTime><camera><Binning xmlns:a="http://schemas.datacontract.org/2004/07/System.Drawing"><a:x>1</a:x><a:y>1</a:y></Binning>)"
         R"(<CameraSpecificInput xmlns:a="http://schemas.microsoft.com/2003/10/Serialization/Arrays">)" +
         kv("ElectronCountingEnabled", "boolean", "true") + kv("SuperResolutionFactor", "int", "1") +
         R"(</CameraSpecificInput><ExposureTime>2.5</ExposureTime><Name>)" + e.camera +
         R"(</Name><ReadoutArea xmlns:a="http://schemas.datacontract.org/2004/07/System.Drawing"><a:height>4096</a:height><a:width>4096</a:width><a:x>0</a:x><a:y>0</a:y></ReadoutArea></camera></acquisition>)"
         R"(<core><ApplicationSoftware>EPU</ApplicationSoftware><ApplicationSoftwareVersion>3.1.0.4000</ApplicationSoftwareVersion></core>)"
         R"(<gun><AccelerationVoltage>)" + num(e.voltage_v) +
         R"(</AccelerationVoltage><Sourcetype>FieldEmission</Sourcetype></gun><instrument><InstrumentID>3926</InstrumentID><InstrumentModel>TITAN52339260</InstrumentModel></instrument>)"
         R"(<optics><ColumnOperatingMode>)" + e.operating_mode +
         R"(</ColumnOperatingMode><ColumnOperatingTemSubMode>BrightField</ColumnOperatingTemSubMode><Defocus>-1.6E-06</Defocus><IlluminationMode>Parallel</IlluminationMode>)"
         R"(<TemMagnification><NominalMagnification>)" + std::to_string(e.magnification) +
         R"(</NominalMagnification></TemMagnification></optics></microscopeData></MicroscopeImage>)";
}

}  // namespace openem::extract::testing
