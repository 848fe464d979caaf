//! Deterministic scenario tests of the phone core in simulated time: the seed's call flows
//! (Cisco SIP IP phone guide, appendix B), with linekey in each role.

mod sim;

mod backup_registration;
mod configure;
mod dtmf;
mod early_media;
mod refer_consent;
mod s01_setup_teardown;
mod s02_hold;
mod s03_hold;
mod s04_consultation;
mod s05_call_waiting;
mod s06_blind_transfer;
mod s07_bye_also;
mod s08_attended_transfer;
mod s10_redirect;
mod s11_forward_busy;
mod s12_cancel;
mod s13_conference;
mod s14_busy;
mod s15_no_answer;
mod s16_errors;
mod s17_auth;
mod s18_failover;
mod s19_emergency;
mod s20_methods;
