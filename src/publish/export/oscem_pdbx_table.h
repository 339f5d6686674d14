#pragma once
// The OSC-EM → PDBx mapping table of oscem_pdbx_mapping.cpp (the reference converter's
// pdb_conversions.csv with OSC-EM v1.0.2 names and the older names of its example data), kept
// apart so the mapping code stays readable. Internal to publish/export; constexpr data.
#include <array>
#include <string_view>

namespace openem::pdbx_mapping {

enum class Rule {
  kPlain,
  kDefocus,  // OSC-EM: underfocus negative; PDBx: underfocus positive (sign flipped; the table swaps min and max)
};

// One row of the mapping table. `oscem` may hold one "[]": each element of that array becomes
// one row of the target category. Older OSC-EM names (the reference converter's example data)
// are listed as further rows for the same target; the first one present wins.
struct Mapping {
  std::string_view oscem;
  std::string_view pdbx;
  Rule rule = Rule::kPlain;
};

inline constexpr std::array<Mapping, 75> kMappings{{
    {"instrument.microscope.model", "_em_imaging.microscope_model"},
    {"instrument.microscope", "_em_imaging.microscope_model"},  // older shape: a string
    {"instrument.illumination", "_em_imaging.illumination_mode"},
    {"instrument.imaging", "_em_imaging.mode"},
    {"instrument.electron_source", "_em_imaging.electron_source"},
    {"instrument.acceleration_voltage", "_em_imaging.accelerating_voltage"},
    {"instrument.c2_aperture", "_em_imaging.c2_aperture_diameter"},
    {"instrument.cs", "_em_imaging.nominal_cs"},
    {"acquisition.nominal_defocus.minimal", "_em_imaging.nominal_defocus_max", Rule::kDefocus},
    {"acquisition.nominal_defocus.maximal", "_em_imaging.nominal_defocus_min", Rule::kDefocus},
    {"acquisition.calibrated_defocus.minimal", "_em_imaging.calibrated_defocus_max", Rule::kDefocus},
    {"acquisition.calibrated_defocus.maximal", "_em_imaging.calibrated_defocus_min", Rule::kDefocus},
    {"acquisition.nominal_magnification", "_em_imaging.nominal_magnification"},
    {"acquisition.calibrated_magnification", "_em_imaging.calibrated_magnification"},
    {"acquisition.holder", "_em_imaging.specimen_holder_model"},
    {"acquisition.temperature.minimal", "_em_imaging.recording_temperature_minimum"},
    {"acquisition.temperature.maximal", "_em_imaging.recording_temperature_maximum"},
    {"acquisition.alignment_procedure", "_em_imaging.alignment_procedure"},
    {"acquisition.date_time", "_em_imaging.date"},
    {"acquisition.datetime", "_em_imaging.date"},
    {"acquisition.tilt_angle.minimal", "_em_imaging.tilt_angle_min"},
    {"acquisition.tilt_angle.maximal", "_em_imaging.tilt_angle_max"},
    {"acquisition.tilt_angle.increment", "_em_imaging.tilt_angle_increment"},
    {"acquisition.cryogen", "_em_imaging.cryogen"},
    {"acquisition.microscope_software", "_em_software.name"},
    {"acquisition.detectors[].name", "_em_image_recording.film_or_detector_model"},
    {"acquisition.detector", "_em_image_recording.film_or_detector_model"},
    {"acquisition.detectors[].mode", "_em_image_recording.detector_mode"},
    {"acquisition.dose_per_movie", "_em_image_recording.avg_electron_dose_per_image"},
    {"processing.movies.dose_per_image", "_em_image_recording.avg_electron_dose_per_image"},
    {"acquisition.exposure_time", "_em_image_recording.average_exposure_time"},
    {"acquisition.grids_imaged", "_em_image_recording.num_grids_imaged"},
    {"acquisition.images_generated", "_em_image_recording.num_real_images"},
    {"processing.micrographs.number_micrographs", "_em_image_recording.num_real_images"},
    {"acquisition.image_size.height", "_em_image_scans.dimension_height"},
    {"acquisition.image_size.width", "_em_image_scans.dimension_width"},
    {"acquisition.frames_per_movie", "_em_image_scans.frames_per_image"},
    {"acquisition.energy_filter.model", "_em_imaging_optics.energyfilter_name"},
    {"acquisition.energy_filter.width_energy_filter", "_em_imaging_optics.energyfilter_slit_width"},
    {"acquisition.energy_filter.width", "_em_imaging_optics.energyfilter_slit_width"},
    {"acquisition.specialist_optics.phaseplate.instrument_type", "_em_imaging_optics.phase_plate"},
    {"acquisition.specialist_optics.spherical_aberration_corrector.instrument_type",
     "_em_imaging_optics.sph_aberration_corrector"},
    {"acquisition.specialist_optics.chromatic_aberration_corrector.instrument_type",
     "_em_imaging_optics.chr_aberration_corrector"},
    {"organizational.grants[].project_id", "_pdbx_audit_support.grant_number"},
    {"organizational.funder[].funder_name", "_pdbx_audit_support.funding_organization"},
    {"organizational.grants[].funder", "_pdbx_audit_support.funding_organization"},
    {"organizational.grants[].country", "_pdbx_audit_support.country"},
    {"organizational.authors[].given_name", "_pdbx_contact_author.name_first"},
    {"organizational.authors[].first_name", "_pdbx_contact_author.name_first"},
    {"organizational.authors[].family_name", "_pdbx_contact_author.name_last"},
    {"organizational.authors[].name", "_pdbx_contact_author.name_last"},
    {"organizational.authors[].email", "_pdbx_contact_author.email"},
    {"organizational.authors[].telephone", "_pdbx_contact_author.phone"},
    {"organizational.authors[].work_phone", "_pdbx_contact_author.phone"},
    {"organizational.authors[].orcid", "_pdbx_contact_author.identifier_orcid"},
    {"organizational.authors[].role", "_pdbx_contact_author.role"},
    {"organizational.authors[].country", "_pdbx_contact_author.country"},
    {"organizational.authors[].type_org", "_pdbx_contact_author.organization_type"},
    {"sample.overall_molecule.molecular_type", "_em_entity_assembly.type"},
    {"sample.overall_molecule.name_sample", "_em_entity_assembly.name"},
    {"sample.overall_molecule.molecular_weight", "_entity.formula_weight"},
    {"sample.overall_molecule.assembly", "_em_experiment.aggregation_state"},
    {"sample.molecule[].name_mol", "_entity.pdbx_description"},
    {"sample.overall_molecule.source", "_entity.src_method"},
    {"sample.molecule[].molecular_type", "_entity_poly.type"},
    {"sample.molecule[].sequence", "_entity_poly.pdbx_seq_one_letter_code"},
    {"sample.molecule[].natural_source", "_em_entity_assembly_naturalsource.organism"},
    {"sample.molecule[].taxonomy_id_source", "_em_entity_assembly_naturalsource.ncbi_tax_id"},
    {"sample.molecule[].expression_system", "_em_entity_assembly_recombinant.organism"},
    {"sample.molecule[].taxonomy_id_expression", "_em_entity_assembly_recombinant.ncbi_tax_id"},
    {"sample.molecule[].gene_name", "_entity_src_gen.pdbx_gene_src_gene"},
    {"sample.ligands[].present", "_pdbx_entry_details.has_ligand_of_interest"},
    {"sample.specimen.buffer", "_em_buffer.details"},
    {"sample.specimen.concentration", "_em_specimen.concentration"},
    {"sample.specimen.ph", "_em_buffer.ph"},
}};

inline constexpr std::array<Mapping, 16> kMoreMappings{{
    {"sample.specimen.vitrification", "_em_specimen.vitrification_applied"},
    {"sample.specimen.vitrification_cryogen", "_em_vitrification.cryogen_name"},
    {"sample.specimen.humidity", "_em_vitrification.humidity"},
    {"sample.specimen.temperature", "_em_vitrification.chamber_temperature"},
    {"sample.specimen.staining", "_em_specimen.staining_applied"},
    {"sample.specimen.embedding", "_em_specimen.embedding_applied"},
    {"sample.specimen.shadowing", "_em_specimen.shadowing_applied"},
    {"sample.grid.manufacturer", "_em_sample_support.grid_type"},
    {"sample.grid.material", "_em_sample_support.grid_material"},
    {"sample.grid.mesh", "_em_sample_support.grid_mesh_size"},
    {"sample.grid.film_material", "_em_support_film.material"},
    {"sample.grid.film_topology", "_em_support_film.topology"},
    {"sample.grid.film_thickness", "_em_support_film.thickness"},
    {"sample.grid.pretreatment_type", "_em_grid_pretreatment.type"},
    {"sample.grid.pretreatment_time", "_em_grid_pretreatment.time"},
    {"sample.grid.pretreatment_pressure", "_em_grid_pretreatment.pressure"},
}};

}  // namespace openem::pdbx_mapping
